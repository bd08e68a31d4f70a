"""The network sensor (issue 21): customers' contacts as the network's first sensor.

``python -m sensor`` reads finished diagnoses from ``triage:sensor:diagnoses``, groups the unexplained ones by the
node, area or bill line they share (:mod:`sensor.detector`, against a learnt :mod:`sensor.baseline`), keeps the
suspected incidents in Redis (:mod:`sensor.store`, the contract in ``core.contracts.sensor``), tells the NOC in its
own systems (:mod:`sensor.noc`: a TMF642 alarm or a TMF621 ticket) and, when an incident ends, the customers who
asked to hear (through ``notify``). See :mod:`sensor.service` for the loop.
"""
