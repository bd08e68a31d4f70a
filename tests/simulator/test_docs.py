"""docs/oss-simulator.md lists exactly the documented test customers, as simulator.scenarios defines them."""

from __future__ import annotations

from simulator.scenarios import SCENARIOS
from simulator.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "oss-simulator.md"


def test_the_docs_table_matches_the_scenarios() -> None:
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    table = {row.split("|")[1].strip(" `"): [cell.strip() for cell in row.split("|")[2:-1]] for row in rows}
    documented = {key: cells for key, cells in table.items() if key in {s.key for s in SCENARIOS}}
    assert list(documented) == [s.key for s in SCENARIOS]
    for scenario in SCENARIOS:
        account, mobile, landline, postcode, services, reference, finding = documented[scenario.key]
        assert (account, mobile, postcode) == (scenario.account_id, scenario.mobile, scenario.postcode)
        assert landline == (scenario.landline or "")
        assert services == ", ".join(scenario.services)
        assert reference == (scenario.order_id or scenario.ticket_id or "")
        assert finding == scenario.finding
