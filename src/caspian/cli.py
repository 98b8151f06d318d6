"""The ``caspian`` command line (DESIGN §6): list, validate, solve, sweep, report, crosscheck.

Exit codes: 0 success · 1 unexpected internal error · 2 bad input · 3 infeasible or unbounded ·
4 solver stopped without a usable solution.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup, TyperOption

from caspian.errors import INTERRUPTED_EXIT_CODE, CaspianError, InputError
from caspian.inputs.spec import parse_set_option, resolve_spec
from caspian.settings import configure_libraries


class _OneLineErrors(TyperGroup):
    """The command group, with click's option and argument errors (a non-numeric ``--time-limit``, an
    unknown option) printed as one ``error:`` line with click's exit code 2, like every other bad input
    (DESIGN §6), instead of a usage panel; help is unchanged. Typer vendors click as ``typer._click``:
    its exceptions, not the ``click`` package's, are the ones raised."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; in standalone mode, report a usage error in one line and exit."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except ClickException as exc:
            where = f"{exc.ctx.command_path}: " if isinstance(exc, UsageError) and exc.ctx else ""
            message = " ".join(exc.format_message().split())
            typer.echo(f"error: {where}{message}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


_typed_option_label = TyperOption.display_type_rich


def _flag_label(option: TyperOption, ctx: Any) -> str | None:
    """The type shown beside an option in help: none for a flag (``--milp``, ``--help``), which takes no
    value; typer otherwise prints ``<bool>`` as if it took one."""
    if option.is_flag or option.count:
        return None
    return _typed_option_label(option, ctx)


setattr(TyperOption, "display_type_rich", _flag_label)  # noqa: B010 (a method of the library's class)

app = typer.Typer(
    cls=_OneLineErrors,
    add_completion=False,
    no_args_is_help=True,
    help="Caspian gas and green-electricity corridors to Europe.",
)


def _print_versions(requested: bool) -> None:
    if not requested:
        return
    from caspian.versions import stack_versions

    typer.echo(" ".join(f"{name} {number}" for name, number in stack_versions().items()))
    raise typer.Exit(0)


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_versions,
            is_eager=True,
            help="print the versions of caspian and its solver stack, and exit",
        ),
    ] = False,
) -> None:
    """Caspian gas and green-electricity corridors to Europe."""


BYTES_PER_MB = 1e6
TABLE_WIDTH = 120
"""Width of the result tables when output is not a terminal (pipes, logs), in characters."""

console = Console(width=None if sys.stdout.isatty() else TABLE_WIDTH, emoji=False)
err_console = Console(stderr=True, emoji=False)
"""Both consoles keep rich markup for caspian's own styling; every user-supplied text (a value, a path,
a name, an error message) is escaped before it is printed, and ``:name:`` is never an emoji."""

DEFAULT_NETWORK = Path("networks/caspian.yaml")
NETWORKS_DIR = Path("networks")
DATA_DIR = Path(os.environ.get("CASPIAN_DATA", "data"))
RESULTS_DIR = Path(os.environ.get("CASPIAN_RESULTS", "results"))


def _fail(exc: BaseException) -> None:
    if isinstance(exc, typer.Exit):  # already reported (an interrupted command)
        raise exc
    if isinstance(exc, CaspianError):
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code)
    err_console.print(
        f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(1)


@contextmanager
def _interruptible(consequence: str) -> Iterator[None]:
    """Let SIGINT (Ctrl-C, ``kill -INT``) stop the work inside: Python's handler is installed even when
    the process inherited SIGINT ignored (a job started with ``&`` from a script), and linopy then
    cancels HiGHS through its interrupt callback. An interrupted command prints one line saying
    ``consequence`` (staging directories are removed on the way out) and exits with
    :data:`~caspian.errors.INTERRUPTED_EXIT_CODE`."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    except KeyboardInterrupt:
        err_console.print(
            f"interrupted (SIGINT): {consequence}", markup=False, highlight=False, soft_wrap=True
        )
        raise typer.Exit(INTERRUPTED_EXIT_CODE) from None


def _notice(message: str) -> None:
    """A one-line notice on stderr (user text printed as is: no markup, no emoji)."""
    err_console.print(message, markup=False, emoji=False, highlight=False, soft_wrap=True)


def _positive_time_limit(seconds: float | None) -> float | None:
    """``--time-limit`` when given: a positive number of seconds (InputError otherwise)."""
    if seconds is not None and not seconds > 0:
        raise InputError(f"--time-limit: must be a positive number of seconds, got {seconds}")
    return seconds


def _overrides(
    sets: list[str] | None,
    mode: str | None,
    resolution: str | None,
    segments: int | None,
    time_limit: float | None = None,
    milp: bool = False,
    mip_gap: float | None = None,
    unit_commitment: bool = False,
) -> tuple[tuple[tuple[str, object], ...], tuple[tuple[str, str], ...]]:
    """The ``--set`` pairs plus the spec fields the dedicated options set, as dotted-path overrides;
    and (path, option) for those a dedicated option set, so that an error names the option."""
    pairs = [parse_set_option(item) for item in sets or []]
    labels: list[tuple[str, str]] = []

    def option(flag: str, *items: tuple[str, object]) -> None:
        pairs.extend(items)
        labels.extend((path, flag) for path, _value in items)

    if mode is not None:
        if mode not in ("dispatch", "expansion"):
            raise InputError(f"--mode: expected dispatch or expansion, got {mode!r}")
        option("--mode", ("mode", mode))
    if resolution is not None and segments is not None:
        raise InputError("--resolution and --segments: choose one")
    if resolution is not None:
        option(
            "--resolution",
            ("time.resolution", None if resolution == "1h" else resolution),
            ("time.segments", None),
        )
    if segments is not None:
        option("--segments", ("time.segments", segments), ("time.resolution", None))
    if time_limit is not None:
        option("--time-limit", ("solver.time_limit", _positive_time_limit(time_limit)))
    if milp:
        option("--milp", ("expansion.milp", True))
    if mip_gap is not None:
        option("--mip-gap", ("solver.mip_gap", mip_gap))
    if unit_commitment:
        option("--unit-commitment", ("unit_commitment", True))
    return tuple(pairs), tuple(labels)


NetworkArg = Annotated[Path, typer.Argument(help="network YAML file")]
ScenarioOpt = Annotated[
    str | None, typer.Option("-s", "--scenario", help="named scenario in the network file")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="<key.path=value>", help="override a field: key.path=value (repeatable)"),
]
DataOpt = Annotated[Path, typer.Option("--data", help="data directory")]
OverlayOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--data-overlay",
        metavar="<dir>",
        help="directory of table CSVs whose rows replace (same key) or add to the data's (repeatable)",
    ),
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="show library and solver logs (INFO level; solve streams HiGHS's log as it is written)",
    ),
]
MilpOpt = Annotated[
    bool, typer.Option("--milp", help="build projects as discrete options (MILP) instead of the LP hull")
]
CommitmentOpt = Annotated[
    bool,
    typer.Option(
        "--unit-commitment",
        help="commit gas-fired plants in whole units: minimum load, start-up cost, min up/down time (MILP)",
    ),
]
ModeOpt = Annotated[str | None, typer.Option("--mode", help="dispatch or expansion")]
ResolutionOpt = Annotated[str | None, typer.Option("--resolution", help="resample, e.g. 3h (1h = hourly)")]


@app.command("list")
def list_cmd() -> None:
    """List the networks, their scenarios, and the sweeps available."""
    table = Table(title="networks")
    for column in ("file", "year", "carriers", "mode", "scenarios"):
        table.add_column(column, no_wrap=column != "scenarios")
    descriptions = []
    try:
        paths = sorted(NETWORKS_DIR.glob("*.yaml"))
        if not paths:
            raise InputError(
                f"{NETWORKS_DIR.resolve()}: no network files (*.yaml) here; run caspian list from a "
                "caspian project directory"
            )
        for path in paths:
            spec = resolve_spec(path)
            table.add_row(
                escape(str(path)),
                str(spec.year),
                escape(", ".join(spec.carriers)),
                escape(spec.mode),
                escape(", ".join(spec.scenarios)) or "-",
            )
            descriptions.append(f"[bold]{escape(path.name)}[/]: {escape(spec.description.strip())}")
    except CaspianError as exc:
        _fail(exc)
    console.print(table)
    for line in descriptions:
        console.print(line, highlight=False)
    sweeps = sorted((NETWORKS_DIR / "sweeps").glob("*.yaml"))
    console.print("sweeps: " + (", ".join(str(p) for p in sweeps) if sweeps else "none"), markup=False)


@app.command()
def validate(
    network: NetworkArg = DEFAULT_NETWORK,
    scenario: ScenarioOpt = None,
    sets: SetOpt = None,
    data: DataOpt = DATA_DIR,
    data_overlay: OverlayOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Check a network's inputs and build it; print a summary. No solving."""
    configure_libraries(verbose)
    from caspian.present.terminal import print_validation
    from caspian.pypsa_model import build_network
    from caspian.runs.single import RunRequest, prepare

    try:
        overrides, labels = _overrides(sets, None, None, None)
        request = RunRequest(
            network,
            data,
            RESULTS_DIR,
            scenario,
            overrides,
            data_overlays=tuple(data_overlay or ()),
            option_labels=labels,
        )
        spec, dataset = prepare(request)
        built = build_network(spec, dataset)
    except Exception as exc:
        _fail(exc)
    print_validation(console, spec, dataset, built.network)


@app.command()
def solve(
    network: NetworkArg = DEFAULT_NETWORK,
    scenario: ScenarioOpt = None,
    sets: SetOpt = None,
    mode: ModeOpt = None,
    resolution: ResolutionOpt = None,
    segments: Annotated[int | None, typer.Option("--segments", help="tsam time segments")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="run directory to write")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="solver time limit, s")] = None,
    milp: MilpOpt = False,
    mip_gap: Annotated[
        float | None, typer.Option("--mip-gap", help="relative MIP gap at which to stop, e.g. 0.01")
    ] = None,
    unit_commitment: CommitmentOpt = False,
    data: DataOpt = DATA_DIR,
    data_overlay: OverlayOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print only the run directory")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Build and solve a network; write a run directory under results/ and print what flows to Europe."""
    configure_libraries(verbose)
    from caspian.present.progress import run_display
    from caspian.present.terminal import print_summary
    from caspian.runs.single import RunRequest, execute

    try:
        overrides, labels = _overrides(
            sets, mode, resolution, segments, time_limit, milp, mip_gap, unit_commitment
        )
        request = RunRequest(
            network_file=network,
            data_dir=data,
            results_dir=RESULTS_DIR,
            scenario=scenario,
            overrides=overrides,
            output_dir=output,
            data_overlays=tuple(data_overlay or ()),
            option_labels=labels,
        )
        with _interruptible("the run was stopped; no run directory written"):
            if quiet:
                result = execute(request)
            else:
                with run_display(err_console) as display:
                    result = execute(
                        request, display.update, _notice, display.solver_line if verbose else None
                    )
    except Exception as exc:
        _fail(exc)
    if quiet:
        typer.echo(str(result.directory))
        return
    print_summary(console, result)


@app.command()
def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="sweep YAML file (networks/sweeps/*.yaml)")],
    workers: Annotated[int, typer.Option("-j", "--workers", min=1, help="parallel cases")] = 1,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address, or 'local' for a LocalCluster")
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="continue an existing sweep directory")] = False,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="solver time limit per case, s")
    ] = None,
    data: DataOpt = DATA_DIR,
    data_overlay: OverlayOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Run every case of a sweep (serially, on -j processes or on Dask); resumable with --resume."""
    configure_libraries(verbose)
    from caspian.present.terminal import print_sweep
    from caspian.sweep.executors import ExecutorChoice
    from caspian.sweep.orchestrate import prepare_sweep, run_sweep
    from caspian.sweep.progress import sweep_progress

    choice = ExecutorChoice(workers=workers, scheduler=scheduler)
    try:
        plan = prepare_sweep(
            sweep_file,
            data,
            RESULTS_DIR,
            resume,
            _positive_time_limit(time_limit),
            tuple(data_overlay or ()),
        )
        with (
            _interruptible("the sweep was stopped; finished cases are kept (continue with --resume)"),
            sweep_progress(err_console, choice) as progress,
        ):
            outcome = run_sweep(plan, choice, on_plan=progress.plan, on_done=progress.done)
    except Exception as exc:
        _fail(exc)
    print_sweep(console, outcome)
    if outcome.failures:
        counts = ", ".join(f"{n} {kind}" for kind, n in outcome.failures.items())
        err_console.print(
            f"[bold red]{sum(outcome.failures.values())} case(s) failed[/] ({counts}); see manifest.csv"
        )
        raise typer.Exit(outcome.exit_code())


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="run directory or sweep directory")],
    data: DataOpt = DATA_DIR,
    verbose: VerboseOpt = False,
) -> None:
    """Write report.html (self-contained) and report.md (figures in report_files/) into DIR."""
    configure_libraries(verbose)
    import time

    from caspian.present.report.render import write_report
    from caspian.present.text import counted

    started = time.perf_counter()
    try:
        with (
            _interruptible("the report was stopped"),
            err_console.status("rendering the report"),
        ):
            written = write_report(directory, data)
    except Exception as exc:
        _fail(exc)
    console.print(
        f"report: [bold]{escape(str(written.html))}[/] ({written.html_bytes / BYTES_PER_MB:.2f} MB, "
        f"{counted(written.figures, 'figure')}) "
        f"and {escape(written.markdown.name)}; {time.perf_counter() - started:.1f} s",
        soft_wrap=True,
    )


DISAGREE_EXIT_CODE = CaspianError.exit_code
"""Exit code of a cross-check whose formulations disagree: a defect in one of them (internal error)."""


@app.command()
def crosscheck(
    network: NetworkArg = DEFAULT_NETWORK,
    scenario: ScenarioOpt = None,
    sets: SetOpt = None,
    mode: ModeOpt = None,
    resolution: ResolutionOpt = None,
    milp: MilpOpt = False,
    unit_commitment: CommitmentOpt = False,
    data: DataOpt = DATA_DIR,
    data_overlay: OverlayOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Solve NETWORK with the PyPSA/linopy model and the independent Pyomo formulation; compare them.
    Exit 0 only when they agree, 1 when they do not."""
    configure_libraries(verbose)
    from caspian.runs.crosscheck import crosscheck as run_crosscheck

    try:
        overrides, _labels = _overrides(
            sets, mode, resolution, None, milp=milp, unit_commitment=unit_commitment
        )
        with (
            _interruptible("the cross-check was stopped"),
            err_console.status("solving both formulations"),
        ):
            result = run_crosscheck(
                network, data, scenario, overrides, data_overlays=tuple(data_overlay or ())
            )
    except Exception as exc:
        _fail(exc)
    table = Table(title=escape(f"Cross-check: {result.network} ({result.mode}, {result.problem})"))
    for column in ("quantity", "name", "unit", "PyPSA/linopy", "Pyomo", "rel. diff", "ok", "note"):
        table.add_column(
            column, justify="right" if column in ("PyPSA/linopy", "Pyomo", "rel. diff") else "left"
        )
    for row in result.rows:
        values = [f"{v:,.6g}" if isinstance(v, float) else str(v) for v in (row.linopy, row.pyomo)]
        diff = "" if row.rel_diff is None else f"{row.rel_diff:.1e}"
        mark = "[green]yes[/]" if row.ok else "[bold red]NO[/]"
        table.add_row(
            escape(row.kind), escape(row.name), escape(row.unit), *values, diff, mark, escape(row.note)
        )
    console.print(table)
    timings = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.seconds.items())
    console.print(f"objective tolerance {result.objective_tol:.1e}; {timings}")
    if not result.agrees:
        err_console.print(f"[bold red]formulations disagree[/] on {len(result.disagreements)} row(s)")
        raise typer.Exit(DISAGREE_EXIT_CODE)
    console.print("[green]the two formulations agree[/]")
