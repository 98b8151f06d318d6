"""Write ``report.html`` (self-contained: figures embedded as base64 PNG, inline CSS, no scripts, no
external fonts or tiles) and ``report.md`` (figures as PNG files in ``report_files/`` beside it) into a
run or sweep directory. Files are rendered in a staging directory and moved into place only when
all of them are complete, so a failure leaves no partial report."""

from __future__ import annotations

import base64
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import jinja2

from caspian.errors import InputError
from caspian.present.report.run_report import RunReport, build_run_report
from caspian.present.report.style import Figure
from caspian.present.report.sweep_report import build_sweep_report, is_sweep_directory
from caspian.runs.rundir import (
    REPORT_FIGURES,
    REPORT_FILES,
    REQUIRED_FILES,
    RUN_RECORD,
    is_run_directory,
    read_run_record,
    staging_path,
)


@dataclass(frozen=True)
class WrittenReport:
    """Paths written and the size of the HTML, bytes."""

    html: Path
    markdown: Path
    html_bytes: int
    figures: int


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("caspian.present.report", "templates"),
        autoescape=jinja2.select_autoescape(["html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["mdcell"] = _md_cell
    return env


def _figures(report: RunReport) -> list[Figure]:
    return [item for _name, items in report.sections for item in items if isinstance(item, Figure)]


def write_report(directory: Path, data_dir: Path) -> WrittenReport:
    """Render the report of the run or sweep in ``directory``; raise InputError if it is neither."""
    directory = directory.resolve()
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    if is_run_directory(directory):
        report = build_run_report(directory, data_dir)
    elif is_sweep_directory(directory):
        report = build_sweep_report(directory)
    else:
        if all((directory / name).is_file() for name in REQUIRED_FILES):
            read_run_record(directory / RUN_RECORD)  # says which field of run.yaml is wrong
        raise InputError(
            f"{directory}: neither a run directory ({', '.join(REQUIRED_FILES)}) nor a sweep "
            "directory (sweep.yaml, manifest.csv, sweep.nc)"
        )
    figures = _figures(report)
    context = {
        "report": report,
        "version": version("caspian"),
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "figure_dir": REPORT_FIGURES,
        "images": {fig.name: base64.b64encode(fig.png).decode("ascii") for fig in figures},
    }
    env = _environment()
    staging = staging_path(directory / "report")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        (staging / REPORT_FIGURES).mkdir(parents=True)
        for fig in figures:
            (staging / REPORT_FIGURES / f"{fig.name}.png").write_bytes(fig.png)
        (staging / "report.html").write_text(env.get_template("report.html.j2").render(context), "utf-8")
        (staging / "report.md").write_text(env.get_template("report.md.j2").render(context), "utf-8")
        shutil.rmtree(directory / REPORT_FIGURES, ignore_errors=True)
        (staging / REPORT_FIGURES).rename(directory / REPORT_FIGURES)
        for name in REPORT_FILES:
            (staging / name).replace(directory / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    html = directory / "report.html"
    return WrittenReport(html, directory / "report.md", html.stat().st_size, len(figures))
