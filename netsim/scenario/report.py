"""The report of a scenario run: per step what ran, whether its expectations
held (and why not), and the values observed; as JSON for ``--json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["FAILED", "HELD", "RAN", "SKIPPED", "Check", "Report", "StepReport"]

#: A step's status: every expectation held; the step ran (it expected nothing);
#: an expectation failed or the action failed unexpectedly; not run (the build failed).
HELD: Final = "held"
RAN: Final = "ran"
FAILED: Final = "failed"
SKIPPED: Final = "skipped"


@dataclass
class Check:
    """One expectation: what was expected, whether it held, what was seen."""

    what: str
    held: bool
    observed: Any = None
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {"what": self.what, "held": self.held, "observed": self.observed}
        if self.why:
            out["why"] = self.why
        return out


@dataclass
class StepReport:
    """What one step did.  ``number`` counts from 1 (0 is the build); ``line``
    is where the step is written."""

    number: int
    line: int
    action: str
    title: str
    checks: list[Check] = field(default_factory=list)
    observed: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    status: str = RAN
    time: float = 0.0

    def settle(self, *, error_expected: bool = False) -> None:
        """The status from the checks and the error."""
        if self.status == SKIPPED:
            return
        failed = any(not c.held for c in self.checks) or (bool(self.error) and not error_expected)
        self.status = FAILED if failed else (HELD if self.checks else RAN)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "line": self.line,
            "action": self.action,
            "title": self.title,
            "status": self.status,
            "error": self.error or None,
            "time": round(self.time, 6),
            "observed": self.observed,
            "expectations": [c.to_json() for c in self.checks],
        }


@dataclass
class Report:
    """A whole run: the build and every step."""

    scenario: str
    file: str
    seed: int
    backend: str
    build: StepReport
    steps: list[StepReport] = field(default_factory=list)

    @property
    def all(self) -> list[StepReport]:
        return [self.build, *self.steps]

    @property
    def ok(self) -> bool:
        """No step failed (steps are skipped only after a failed build)."""
        return all(s.status != FAILED for s in self.all)

    @property
    def counts(self) -> dict[str, int]:
        checks = [c for s in self.all for c in s.checks]
        return {
            "steps": len(self.steps),
            "failedSteps": sum(s.status == FAILED for s in self.all),
            "skippedSteps": sum(s.status == SKIPPED for s in self.steps),
            "expectations": len(checks),
            "held": sum(c.held for c in checks),
            "failed": sum(not c.held for c in checks),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "file": self.file,
            "seed": self.seed,
            "backend": self.backend,
            "ok": self.ok,
            "summary": self.counts,
            "build": self.build.to_json(),
            "steps": [s.to_json() for s in self.steps],
        }
