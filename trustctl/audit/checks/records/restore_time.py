"""RPO-RTO: the newest drill that measured a restore did it within the RTO."""

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.records_reader import RecordsReader
from trustctl.catalog import page_figures

_RTO_HOURS = page_figures().rto_hours  # in the words below; the drill record holds its objective


@live_check(
    id="AUD_REC_3", area="records",
    name=f"The newest measured restore met the RTO ({_RTO_HOURS:g} h)",
    risk=f"A real recovery would take longer than the {_RTO_HOURS:g} hours promised.",
    remediation="Speed the restore up (pg_restore --jobs, a bigger scratch server) and re-run "
                "`trustctl drill`.",
)
def check(records: RecordsReader, out: Outcome) -> None:
    measured = [d for d in records.drill_records() if d.drill.rto.measured_seconds is not None]
    if not measured:
        out.fail(str(records.store), "no drill record measured a restore time")
        return
    newest, rto = measured[0], measured[0].drill.rto
    out.facts["newest"] = {"path": newest.path, **rto.model_dump(mode="json")}
    if not rto.met:
        out.fail(newest.path, f"restore took {rto.measured_seconds:.0f} s, over "
                              f"the objective of {rto.objective_seconds:.0f} s")
