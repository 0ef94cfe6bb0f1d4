"""A run's report as text: a summary table (``rich`` on a terminal, plain
columns otherwise), each failed expectation under its step with why, and
with ``verbose`` what each step printed (ping and command output, journeys)."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from netsim.scenario.report import FAILED, HELD, SKIPPED, Report, StepReport

__all__ = ["render_details", "render_report", "summary_line"]

_STYLE = {HELD: "green", FAILED: "bold red", SKIPPED: "yellow", "ran": "cyan"}


def _result(step: StepReport) -> str:
    if not step.checks:
        return step.status
    held = sum(c.held for c in step.checks)
    return f"{step.status} {held}/{len(step.checks)}"


def _notes(step: StepReport) -> list[str]:
    """Why a step failed: its error (unless expected) and each failed check."""
    out = []
    if (
        step.error
        and step.status == FAILED
        and not any(c.what.startswith("fails with") for c in step.checks)
    ):
        out.append(f"error: {step.error}")
    for c in step.checks:
        if not c.held:
            out.append(f"x {c.what}: {c.why}" if c.why else f"x {c.what}")
    return out


def summary_line(report: Report) -> str:
    n = report.counts
    steps = f"{n['steps']} step{'s' if n['steps'] != 1 else ''}"
    bad = n["failedSteps"]
    skipped = f", {n['skippedSteps']} skipped" if n["skippedSteps"] else ""
    return (
        f"{'ok' if report.ok else 'FAILED'}: {steps} ({bad} failed{skipped}), "
        f"{n['expectations']} expectations: {n['held']} held, {n['failed']} failed"
    )


def _title(step: StepReport) -> str:
    return f"build: {step.title}" if step.action == "build" else step.title


def _plain(report: Report, out: TextIO) -> None:
    rows = [(str(s.number), str(s.line), _title(s), _result(s), _notes(s)) for s in report.all]
    w_title = min(max(len(r[2]) for r in rows), 60)
    w_line = max(4, *(len(r[1]) for r in rows))
    out.write(f"{report.scenario}: {report.file} (seed {report.seed}, backend {report.backend})\n")
    out.write(f"{'#':>3}  {'line':>{w_line}}  {'step':<{w_title}}  result\n")
    for num, line, full, result, notes in rows:
        text = full if len(full) <= w_title else full[: w_title - 3] + "..."
        out.write(f"{num:>3}  {line:>{w_line}}  {text:<{w_title}}  {result}\n")
        for note in notes:
            out.write(f"{'':>3}  {'':>{w_line}}    {note}\n")
    out.write(summary_line(report) + "\n")


def _rich(report: Report, console: Console) -> None:
    table = Table(
        title=f"{report.scenario} (seed {report.seed}, backend {report.backend})",
        title_justify="left",
        show_lines=False,
    )
    table.add_column("#", justify="right")
    table.add_column("line", justify="right")
    table.add_column("step", overflow="fold")
    table.add_column("result")
    for s in report.all:
        result = Text(_result(s), style=_STYLE.get(s.status, ""))
        table.add_row(str(s.number), str(s.line), _title(s), result)
        for note in _notes(s):
            table.add_row("", "", Text(note, style="red"), "")
    console.print(table)
    console.print(Text(summary_line(report), style="bold green" if report.ok else "bold red"))


def render_report(report: Report, out: TextIO, *, terminal: bool = False) -> None:
    """The summary table: ``rich`` when ``terminal``, else plain text."""
    if terminal:
        _rich(report, Console(file=out, force_terminal=True, highlight=False))
    else:
        _plain(report, out)


def render_details(report: Report, out: TextIO) -> None:
    """What each step printed, step by step."""
    for s in report.all:
        obs = s.observed
        body = ""
        if s.action == "ping" and "output" in obs:
            body = obs["output"]
        elif s.action == "run" and "stdout" in obs:
            body = f"$ {obs['command']}\n{obs['stdout']}{obs['stderr']}"
        elif s.action == "trace" and "lines" in obs:
            body = "".join(line + "\n" for line in obs["lines"])
        elif s.error:
            body = f"error: {s.error}\n"
        if body:
            out.write(f"== step {s.number} (line {s.line}): {_title(s)}\n{body}\n")
