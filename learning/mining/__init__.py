"""Theme mining: features (:mod:`.features`), grouping (:mod:`.clustering`), key terms (:mod:`.labels`), all run
by :func:`.engine.mine_texts`."""
