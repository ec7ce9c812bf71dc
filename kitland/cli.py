"""The ``kitland`` command line: thin wrappers over the public API.

Exit codes (SPEC §4): 0 success, 1 the answer is "no" (nothing fits / a rule fails /
data errors found by ``validate``), 2 bad input or usage — one line on stderr, no
traceback, 3 ``place`` undecided, 70 an unexpected error (a bug; one line, ``-v`` for
the traceback). ``compare`` answers for the proposal only: 0 when it passes every zone
rule, 1 when it fails one, whatever the two placements found (their statuses are in
its report).
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from kitland._errors import DataError, KitlandError, RulesError, UsageError

if TYPE_CHECKING:
    from kitland.estate import Estate
    from kitland.report import RuleResult
    from kitland.rules import Rules

__all__ = ["main"]

log = logging.getLogger("kitland")


class _Console(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """stderr for one run: log records, notes, and the files written.

    Data warnings (``kitland.validation``) and notes are held until the inputs are
    accepted (:meth:`accept`): a run that stops on bad input (exit 2) prints its one
    line and nothing else; a run that goes on prints them before its results. Under
    ``-q`` notes and file lines are left out. A record that carries its message as a
    :class:`~kitland.i18n.Message` (``extra={"said": …}``, the data findings) is written
    in ``lang``.
    """

    def __init__(self, *, quiet: bool, lang: str = "en") -> None:
        super().__init__(sys.stderr)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.quiet = quiet
        self.lang = lang
        self.held: list[str] = []
        self.holding = True

    def format(self, record: logging.LogRecord) -> str:
        said = getattr(record, "said", None)
        if said is None:
            return super().format(record)
        from kitland.i18n import tr  # noqa: PLC0415

        # a message for people: no module name
        return f"{tr(self.lang, record.levelname)}: {said.render(self.lang)}"

    def emit(self, record: logging.LogRecord) -> None:
        held = record.name == "kitland.validation" and record.levelno == logging.WARNING
        if self.holding and held:
            self.held.append(self.format(record))
            return
        super().emit(record)

    def say(self, text: str) -> None:
        """One line about the run (``kitland: …``): what was read, what was written."""
        if self.quiet:
            return
        line = f"kitland: {text}"
        if self.holding:
            self.held.append(line)
        else:
            self._write(line)

    def accept(self) -> None:
        """The inputs passed every check: print what was held, and from now on at once."""
        self.holding = False
        for line in self.held:
            self._write(line)
        self.held.clear()

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.flush()


def _say(args: argparse.Namespace, text: str) -> None:
    console = getattr(args, "console", None)
    if console is None:
        print(f"kitland: {text}", file=sys.stderr)
    else:
        console.say(text)


def _note(args: argparse.Namespace, message: str, **values: Any) -> None:
    """A line on stderr in the terminal's language: the catalogue's ``message`` with
    ``values`` put in (data as it is, numbers in the locale)."""
    from kitland.i18n import Message  # noqa: PLC0415 - keep --help fast

    _say(args, Message(message, values).render(_text_lang(args)))


def _wrote(args: argparse.Namespace, path: Any, what: Any, **values: Any) -> None:
    """``wrote PATH (WHAT)`` on stderr, ``what`` a catalogue message (or a
    :class:`~kitland.i18n.Message`) with ``values``."""
    from kitland.i18n import Message  # noqa: PLC0415

    what = what if isinstance(what, Message) else Message(what, values)
    _note(args, "wrote {path} ({what})", path=str(path), what=what)


#: What ``--format`` writes, for the "wrote" line.
_REPORT_KINDS = {"text": "text report", "json": "json report", "junit": "junit report"}


def _inputs_accepted(args: argparse.Namespace) -> None:
    """The inputs passed every check: print the data warnings and notes held so far."""
    console = getattr(args, "console", None)
    if console is not None:
        console.accept()


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (its default also prints usage).

    ``subcommands`` (set on the top parser): name → subcommand parser, so an argument
    a subcommand does not know is refused naming that subcommand's ``--help``.
    """

    subcommands: Mapping[str, argparse.ArgumentParser] | None = None
    #: The language of its error line (:func:`_argv_lang`), set before parsing.
    lang: str = "en"

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        ns, extra = self.parse_known_args(args, namespace)
        if extra:
            sub = (self.subcommands or {}).get(getattr(ns, "command", None) or "", self)
            sub.error(f"unrecognized arguments: {' '.join(extra)}")
        return ns

    def error(self, message: str) -> None:  # type: ignore[override]
        from kitland.i18n import Message  # noqa: PLC0415

        sub = self.prog.split()[1:]  # "kitland place" → "place"; "kitland" → nothing
        where = " ".join(["kitland", *sub[-1:]])
        said = Message("{message} (see `{where} --help`)", {"message": _argparse_said(message),
                                                            "where": where})  # fmt: skip
        self.exit(2, f"kitland: {said.render(self.lang)}\n")


#: argparse's English messages that a user meets, and those of the argument types below
#: (whose text argparse keeps as a string): pattern → the catalogue's message. The
#: named groups are the message's values, ``what`` (an argument's problem) itself one
#: of these messages, ``unit`` a word of the catalogue.
_ARGPARSE_MESSAGES = (
    (r"unrecognized arguments: (?P<args>.*)", "unrecognized arguments: {args}"),
    (r"argument (?P<arg>\S+): (?P<what>.*)", "argument {arg}: {what}"),
    (r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)",
     "invalid choice: {value} (choose from {choices})"),
    (r"the following arguments are required: (?P<args>.*)",
     "the following arguments are required: {args}"),
    (r"one of the arguments (?P<args>.*) is required", "one of the arguments {args} is required"),
    (r"not allowed with argument (?P<arg>.*)", "not allowed with argument {arg}"),
    (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)",
     "ambiguous option: {option} could match {matches}"),
    (r"expected one argument", "expected one argument"),
    (r"expected at least one argument", "expected at least one argument"),
    (r"expected at most one argument", "expected at most one argument"),
    (r"ignored explicit argument (?P<value>.*)", "ignored explicit argument {value}"),
    (r"invalid (?P<type>\S+) value: (?P<value>.*)", "invalid {type} value: {value}"),
    (r"expected a number of (?P<unit>\w+), got (?P<value>.*)", "expected a number of {unit}, got {value}"),
    (r"expected a whole number of (?P<unit>\w+), got (?P<value>.*)",
     "expected a whole number of {unit}, got {value}"),
    (r"expected a positive number of (?P<unit>\w+), got (?P<value>.*)",
     "expected a positive number of {unit}, got {value}"),
    (r"expected at least 1, got (?P<value>.*)", "expected at least 1, got {value}"),
    (r"expected a whole number, got (?P<value>.*)", "expected a whole number, got {value}"),
    (r"expected 0 or more, got (?P<value>.*)", "expected 0 or more, got {value}"),
    (r"not a CRS pyproj knows: (?P<value>.*) \(e\.g\. EPSG:23835\)",
     "not a CRS pyproj knows: {value} (e.g. EPSG:23835)"),
)  # fmt: skip


def _argparse_said(message: str) -> Any:
    """argparse's English ``message`` as a catalogue message (as it is when unknown)."""
    import re  # noqa: PLC0415

    from kitland.i18n import Message  # noqa: PLC0415

    for pattern, text in _ARGPARSE_MESSAGES:
        m = re.fullmatch(pattern, message, flags=re.S)
        if m is not None:
            values: dict[str, Any] = m.groupdict()
            if "what" in values:
                values["what"] = _argparse_said(values["what"])
            if "unit" in values:
                values["unit"] = Message(values["unit"])
            return Message(text, values)
    return message


def _argv_lang(argv: Sequence[str]) -> str:
    """The ``--lang`` of a command line not parsed yet, for argparse's own error line:
    ``id`` or ``en``, else English (and English for ``sweep`` and ``sweep-report``,
    whose ``--lang`` is the maps')."""
    from kitland.i18n import LANGS  # noqa: PLC0415

    words = list(argv)
    if words[:1] in (["sweep"], ["sweep-report"]):
        return "en"
    lang = "en"
    for i, w in enumerate(words):
        value = words[i + 1] if w == "--lang" and i + 1 < len(words) else None
        value = w.removeprefix("--lang=") if w.startswith("--lang=") else value
        if value in LANGS:
            lang = value
    return lang


def _positive(unit: str, *, integer: bool = False):
    """An argparse type: a positive finite number (``inf`` allowed for seconds)."""

    def parse(text: str) -> float:
        try:
            x = float(int(text)) if integer else float(text)
        except ValueError:
            msg = f"expected {'a whole number' if integer else 'a number'} of {unit}, got {text!r}"
            raise argparse.ArgumentTypeError(msg) from None
        finite = math.isfinite(x) or (unit == "seconds" and x == math.inf)
        if not (x > 0 and finite):
            msg = f"expected a positive number of {unit}, got {text}"
            if integer:
                msg = f"expected at least 1, got {text}"
            raise argparse.ArgumentTypeError(msg)
        return int(x) if integer else x

    return parse


def _count(text: str) -> int:
    """An argparse type: a whole number ≥ 0."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text}")
    return n


def _crs(text: str) -> str:
    """An argparse type: a CRS pyproj knows (EPSG:23835, a WKT or PROJ string, …)."""
    import pyproj  # noqa: PLC0415 - keep --help fast

    try:
        pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        msg = f"not a CRS pyproj knows: {text!r} (e.g. EPSG:23835)"
        raise argparse.ArgumentTypeError(msg) from None
    return text


def _estate(args: argparse.Namespace, *, strict: bool = True):
    from kitland.estate import load_estate  # noqa: PLC0415 - keep --help fast

    return load_estate(args.estate, assume_crs=args.assume_crs, strict=strict)


def _rules(args: argparse.Namespace):
    from kitland.rules import load_rules  # noqa: PLC0415

    return load_rules(args.rules)


def _outputs(args: argparse.Namespace, *paths: str | None) -> None:
    """Fail before any work when an output cannot be written (folder missing, …) or would
    overwrite one of the command's inputs (the estate, rules, zone or plots file)."""
    from kitland.estate import bundled_path  # noqa: PLC0415
    from kitland.i18n import Message  # noqa: PLC0415
    from kitland.io import check_writable, input_files  # noqa: PLC0415

    estate = getattr(args, "estate", None)
    rules = getattr(args, "rules", None)
    inputs = input_files(
        bundled_path("kit_batang.gpkg") if estate is None else estate,
        bundled_path("umkm_rules.toml") if rules is None else rules,
        getattr(args, "zone", None),
        getattr(args, "plots", None),
    )
    for path in paths:
        if path is not None and path != "-":
            check_writable(path)
            if Path(path).resolve() in inputs:
                msg = Message("{path}: is one of this command's inputs; inputs are never"
                              " modified: write to a new file", {"path": path})  # fmt: skip
                raise DataError(msg)


def _suffixes(**paths: tuple[str | None, tuple[str, ...]]) -> None:
    """Refuse an output whose extension names another format than the one written."""
    for option, (path, allowed) in paths.items():
        if path is not None and path != "-" and Path(path).suffix.lower() not in allowed:
            from kitland.i18n import Message  # noqa: PLC0415

            suffix = Path(path).suffix
            msg = Message(
                "{path}: --{option} writes {allowed} (got {suffix}); name the file accordingly"
                if suffix else
                "{path}: --{option} writes {allowed} (got no extension); name the file accordingly",
                {"path": path, "option": option.replace("_", "-"), "allowed": _or(allowed),
                 "suffix": suffix},
            )  # fmt: skip
            raise UsageError(msg)


def _write_text(args: argparse.Namespace, path: str | None, text: str, what: str) -> None:
    from kitland.io import atomic_path  # noqa: PLC0415

    if path is None or path == "-":
        sys.stdout.write(text)
        return
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    _wrote(args, path, what)


def _paper(args: argparse.Namespace) -> dict[str, Any]:
    """The paper and orientation of ``--pdf``, for its "wrote" line (the orientation a
    catalogue word)."""
    from kitland.i18n import Message  # noqa: PLC0415

    return {"paper": args.paper, "orientation": Message(args.orientation)}


def _or(words: Sequence[str]) -> Any:
    """``a, b or c`` as a catalogue message (one word as it is)."""
    from kitland.i18n import Message  # noqa: PLC0415

    if len(words) == 1:
        return words[0]
    return Message("{a} or {b}", {"a": ", ".join(words[:-1]), "b": words[-1]})


def _and(words: Sequence[str]) -> Any:
    """``a, b and c`` as a catalogue message (one word as it is)."""
    from kitland.i18n import Message  # noqa: PLC0415

    if len(words) == 1:
        return words[0]
    return Message("{a} and {b}", {"a": ", ".join(words[:-1]), "b": words[-1]})


def _text_lang(args: argparse.Namespace) -> str:
    """The language of the terminal text, its notes on stderr and text reports:
    ``--lang``, else English (``sweep`` and ``sweep-report``: English, their ``--lang``
    is the maps' and defaults to ``id``)."""
    if getattr(args, "command", None) in ("sweep", "sweep-report"):
        return "en"
    return getattr(args, "lang", None) or "en"


def _map_lang(args: argparse.Namespace) -> str:
    """The language of maps, PDF and KML: ``--lang``, else Bahasa Indonesia."""
    return args.lang or "id"


def cmd_validate(args: argparse.Namespace) -> int:
    """``kitland validate``: report data problems and the land budget."""
    from kitland.validation import repair, validate  # noqa: PLC0415

    _outputs(args, args.output, args.fix)
    estate = _estate(args, strict=False)
    report = validate(estate)
    _inputs_accepted(args)
    text = report.to_json() if args.format == "json" else report.to_text(lang=_text_lang(args))
    _write_text(args, args.output, text, _REPORT_KINDS[args.format])
    if args.fix:
        from kitland.io import write_estate  # noqa: PLC0415

        fixed = repair(estate)
        write_estate(fixed, args.fix)
        from kitland.i18n import Message  # noqa: PLC0415

        done = Message("repaired estate written to {path}", {"path": args.fix})
        print(done.render(_text_lang(args)), file=sys.stderr)
    return 1 if report.has_errors else 0


def _zone(args: argparse.Namespace):
    from kitland.io import read_zone  # noqa: PLC0415

    if not args.zone:
        return None
    zone = read_zone(args.zone, assume_crs=args.assume_crs, feature=getattr(args, "feature", None))
    if zone.attrs.get("note_message"):
        _say(args, zone.attrs["note_message"].render(_text_lang(args)))
    elif zone.attrs.get("note"):
        _say(args, zone.attrs["note"])
    return zone


def _zones(args: argparse.Namespace):
    """The zone file of a check with several zones: every polygon feature of it."""
    from kitland.io import read_zones  # noqa: PLC0415

    return read_zones(args.zone, assume_crs=args.assume_crs) if args.zone else None


def cmd_check(args: argparse.Namespace) -> int:
    """``kitland check``: judge a drawn or proposed zone (and the layout) against rules."""
    from kitland.i18n import Message  # noqa: PLC0415
    from kitland.measure import check  # noqa: PLC0415

    _outputs(args, args.output)
    if args.plots and not args.zone:
        raise UsageError(Message("--plots needs --zone ZONE: the zone the plots were cut from"))
    if args.feature and not args.zone:
        raise UsageError(Message("--feature needs --zone ZONE: the file whose feature to check"))
    estate = _estate(args)
    rules = _rules(args)
    if args.zone_name:  # one zone of a [[zones]] file (and its plots), by its own rules
        from kitland.comparison import named_feature, one_zone  # noqa: PLC0415

        rules = one_zone(rules, args.zone_name, command="check")
        zone = None
        if args.zone:
            zone = _zone(args) if args.feature else named_feature(_zones(args), args.zone_name)
    elif rules.multi_zone and args.feature:
        msg = Message("--feature checks one zone; {source} has several zones: name the zone it "
                      "is with --zone-name NAME", {"source": str(rules.source)})  # fmt: skip
        raise UsageError(msg)
    else:
        zone = _zones(args) if rules.multi_zone else _zone(args)
    if zone is None and not rules.layout:
        msg = Message("nothing to check: give --zone ZONE, or add [[layout]] rules to {source}",
                      {"source": str(rules.source)})  # fmt: skip
        raise RulesError(msg)
    if args.plots and rules.multi_zone:
        several = Message("--plots judges the plots of one zone; {source} has several zones: "
                          "name the zone the plots were cut from with --zone-name NAME",
                          {"source": str(rules.source)})  # fmt: skip
        raise UsageError(several)
    _require_valid(args, estate)
    report = check(estate, zone, rules)
    if zone is not None and rules.zone is not None:
        from kitland.placement import score  # noqa: PLC0415
        from kitland.report import Report  # noqa: PLC0415

        s = score(estate, zone, rules, cell_m=args.cell_m)
        report = Report(report.results, {**report.zone, "score": s}, report.extra)
    extra = _plot_results(args, estate, zone, rules)
    if extra:
        from kitland.report import Report  # noqa: PLC0415

        report = Report([*report.results, *extra], report.zone, report.extra)
    _inputs_accepted(args)
    if args.format == "text":
        # the zone's own name heads its line (a file without one: "zone" / "Zona UMKM")
        from kitland.rules import ZoneSpec  # noqa: PLC0415

        named = None
        if rules.zone is not None and not rules.multi_zone and rules.zone.name != ZoneSpec.name:
            named = rules.zone.name
        text = report.to_text(lang=_text_lang(args), name=named)
        if "score" in report.zone:
            text += _score_line(report.zone["score"], _text_lang(args), cell_m=args.cell_m)
    else:
        text = {"json": report.to_json, "junit": report.to_junit}[args.format]()
    _write_text(args, args.output, text, _REPORT_KINDS[args.format])
    return 0 if report.passed else 1


def _score_line(score: float, lang: str, *, cell_m: float) -> str:
    """The zone's preference score under ``check``'s text report, with its meaning."""
    from kitland.i18n import label, number  # noqa: PLC0415

    if lang == "en":
        return (f"score {score:,.1f} (the preference score place optimises, on its {cell_m:g} m "
                "grid; lower is better)\n")  # fmt: skip
    return f"{label(lang, 'score')} {number(score, lang, 1)} m — {label(lang, 'score_meaning')}\n"


def _require_valid(args: argparse.Namespace, *estates: Estate) -> None:
    """Stop on the estates' data errors (:func:`kitland.validation.require_valid`), the
    line naming the command the user ran."""
    from kitland.validation import require_valid  # noqa: PLC0415

    for estate in estates:
        require_valid(estate, command=f"`kitland {args.command}`")


def cmd_place(args: argparse.Namespace) -> int:
    """``kitland place``: place the zone; write it, the new layout, report and map."""
    from kitland._progress import Progress, wanted  # noqa: PLC0415
    from kitland.i18n import Message  # noqa: PLC0415
    from kitland.placement import place, write_placement  # noqa: PLC0415
    from kitland.report import rule_label  # noqa: PLC0415

    _outputs(args, args.out, args.map, args.report, args.pdf, args.kml)
    _suffixes(out=(args.out, (".gpkg",)), map=(args.map, (".html", ".htm")),
              report=(args.report, (".json",)), pdf=(args.pdf, (".pdf",)),
              kml=(args.kml, (".kml",)))  # fmt: skip
    estate = _estate(args)
    rules = _rules(args)
    # place() validates the estate and checks the selectors first; made here as well
    # (cached) to name the optional rules it will skip.
    _require_valid(args, estate)
    lang = _text_lang(args)
    skipped = [
        rule_label(r.id, r.kind, lang, name_en=r.name_en) for r, _ in rules.check_against(estate)
    ]
    if skipped:
        _note(
            args,
            "optional rules skipped, their selectors match nothing here: {rules}",
            rules=", ".join(skipped),
        )
    bar: Progress | None = None

    def events(event: dict) -> None:
        # Past "cells" every input check (data, rules, --cell-m) has passed: print the
        # held warnings and notes now, before the solve, then draw the progress bar.
        nonlocal bar
        if event["stage"] == "cells":
            return
        _inputs_accepted(args)
        if bar is None and wanted(quiet=args.quiet > 0):
            bar = Progress(args.time_limit)
        if bar is not None:
            bar(event)

    try:
        result = place(
            estate,
            rules,
            alternatives=args.alternatives,
            cell_m=args.cell_m,
            time_limit_s=args.time_limit,
            progress=events,
        )
    finally:
        if bar is not None:
            bar.close()
    _inputs_accepted(args)
    sys.stdout.write(result.summary(_text_lang(args)))
    written: list[tuple[str, Message]] = []  # each file and what it holds
    report = result.report
    table: list[list[str]] = []
    if result.found and len(result.alternatives) > 1 and not result.zones:
        from kitland.comparison import candidates_of, side_by_side, versus_first  # noqa: PLC0415
        from kitland.i18n import tr  # noqa: PLC0415
        from kitland.report import Report  # noqa: PLC0415

        report = Report(report.results, report.zone,
                        {**report.extra, "versus_first": versus_first(result)})  # fmt: skip
        cands = candidates_of(result)
        title = tr(_map_lang(args), "placement {rank}")
        table = side_by_side([(title.format(rank=i + 1), c) for i, c in enumerate(cands)],
                             lang=_map_lang(args))  # fmt: skip
    if args.report:
        from kitland.io import atomic_path  # noqa: PLC0415

        with atomic_path(args.report) as tmp:
            tmp.write_text(report.to_json(), encoding="utf-8")
        written.append((args.report, Message("JSON report")))
    if result.found and args.kml:
        from kitland.kml import write_kml  # noqa: PLC0415

        assert result.rules is not None
        named = ([(p.name, p.zone, p.report) for p in result.zones] if result.zones else
                 [(f"{result.rules.zone.name if result.rules.zone else ''} {p.rank}", p.zone,
                   p.report) for p in result.alternatives])  # fmt: skip
        write_kml(args.kml, estate, zones=named, lang=_map_lang(args))
        written.append((args.kml, Message("KML for Google Earth")))
    if result.found and args.out:
        write_placement(result, args.out)
        n = len(result.alternatives)
        written.append((args.out, Message(
            "layer zone: {n} zones; layer parcels: the new layout" if result.zones else
            "layer zone: {n} placements; layer parcels: the new layout" if n != 1 else
            "layer zone: {n} placement; layer parcels: the new layout", {"n": n})))  # fmt: skip
    # What the solver proved of each placement, on the map and the page as in the terminal.
    from kitland.placement import proof_text  # noqa: PLC0415

    proofs = [proof_text(p, result.solver.get("grid_m"), _map_lang(args))
              for p in (result.zones or result.alternatives)]  # fmt: skip
    if result.found and args.map:
        from kitland.maps import make_map, save_map  # noqa: PLC0415

        m = make_map(
            estate,
            zone=result.zone,
            report=result.report,
            alternatives=[] if result.zones else result.alternatives[1:],
            lang=_map_lang(args),
            offline=args.offline,
            rules_source=rules.source,
            rules=rules,
            score=None if result.zones else result.alternatives[0].score,
            zones=result.zones,
            statuses=proofs,
            caveat=result.caveat(_map_lang(args), short=True),
        )
        if table:
            from kitland.maps import add_table  # noqa: PLC0415

            add_table(
                m, table, title=tr(_map_lang(args), "What each placement costs against placement 1")
            )
        save_map(m, args.map)
        written.append((args.map, Message("meeting map")))
    if result.found and args.pdf:
        from kitland.printing import write_pdf  # noqa: PLC0415

        if result.zones:  # several zones: each by name, the rule table per zone
            write_pdf(estate, args.pdf, zones=result.zones, report=result.report, rules=rules,
                      lang=_map_lang(args), paper=args.paper, orientation=args.orientation,
                      status=_shared(proofs), caveat=result.caveat(_map_lang(args)))  # fmt: skip
        else:
            write_pdf(estate, args.pdf, zone=result.zone, report=result.report,
                      alternatives=result.alternatives[1:], rules=rules, lang=_map_lang(args),
                      paper=args.paper, orientation=args.orientation,
                      score=result.alternatives[0].score, status=proofs[0],
                      caveat=result.caveat(_map_lang(args)))  # fmt: skip
        written.append((args.pdf, Message("print layout, {paper} {orientation}", _paper(args))))
    for path, holds in written:
        _wrote(args, path, holds)
    unwritten = [p for p in (args.out, args.map, args.pdf, args.kml) if p and not result.found]
    if unwritten:
        _note(args, "no placement, so {paths} not written", paths=_and(unwritten))
    elif not written:
        _note(
            args, "nothing written: pass --out OUT.gpkg / --map M.html / --report R.json to save it"
        )
    if result.found:
        return 0
    return 3 if result.status == "UNDECIDED" else 1


def cmd_plots(args: argparse.Namespace) -> int:
    """``kitland plots``: cut a placed zone into plots along internal roads."""
    from kitland.comparison import named_feature, one_zone  # noqa: PLC0415
    from kitland.plots import plots  # noqa: PLC0415

    _outputs(args, args.out, args.report)
    _suffixes(out=(args.out, (".gpkg",)), report=(args.report, (".json",)))
    estate = _estate(args)
    rules = one_zone(_rules(args), args.zone_name, command="plots")  # which zone, first
    zone = named_feature(_zones(args), args.zone_name) if args.zone_name else _zone(args)
    _require_valid(args, estate)
    layout = plots(estate, zone, rules)
    _inputs_accepted(args)
    text = layout.to_text(_text_lang(args))
    sys.stdout.write(layout.to_json() if args.format == "json" else text)
    if args.report:
        from kitland.io import atomic_path  # noqa: PLC0415

        with atomic_path(args.report) as tmp:
            tmp.write_text(layout.to_json(), encoding="utf-8")
        _wrote(args, args.report, "JSON report")
    if args.out:
        layout.write(args.out)
        _wrote(args, args.out, "layer plots: {n} plots; layer internal_roads: {roads} pieces; layer green",
               n=len(layout.plots), roads=len(layout.internal_roads))  # fmt: skip
    if not (args.out or args.report):
        _note(args, "nothing written: pass --out PLOTS.gpkg / --report R.json to save it")
    return 0


def _plot_results(
    args: argparse.Namespace, estate: Estate, zone: Any, rules: Rules
) -> list[RuleResult]:
    """The plot layout's results for ``check --plots`` (none without --plots)."""
    if not getattr(args, "plots", None):
        return []
    from kitland.plots import check_plots, read_plots  # noqa: PLC0415

    plots_gdf, roads_gdf = read_plots(args.plots)
    return check_plots(estate, zone, plots_gdf, roads_gdf, rules)


def _placed_status(zone: Any, lang: str) -> str | None:
    """For a zone ``place --out`` wrote (its ``status`` and ``gap`` columns), what the
    solver proved of it when it was placed, e.g. "as placed: FEASIBLE, gap 7.49%"."""
    from kitland.i18n import gap_text, tr  # noqa: PLC0415

    if zone is None or not {"status", "gap"} <= set(zone.columns):
        return None
    status, gap = zone["status"].iloc[0], _finite(zone["gap"].iloc[0])
    if status not in ("OPTIMAL", "FEASIBLE"):
        return None
    return tr(lang, "as placed: {status}, {gap}").format(status=tr(lang, status),
                                                         gap=gap_text(gap, lang))  # fmt: skip


def _shared(statuses: Sequence[str]) -> str | None:
    """What the solver proved, when every zone shares it (zones of one joint solve)."""
    return statuses[0] if statuses and statuses[0] and len(set(statuses)) == 1 else None


def _finite(value: Any) -> float | None:
    """A finite float, or None (a missing or NaN cell)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def cmd_map(args: argparse.Namespace) -> int:
    """``kitland map``: write the interactive meeting map (or, with only --png/--pdf, those)."""
    from kitland.maps import make_map, save_map, save_png  # noqa: PLC0415
    from kitland.placement import written_caveat  # noqa: PLC0415

    html = args.out or (None if args.png or args.pdf or args.kml else "maps/kitland.html")
    if html and not args.out:
        Path(html).parent.mkdir(exist_ok=True)  # the default's folder, as `make demo` has it
    _outputs(args, html, args.png, args.pdf, args.kml)
    _suffixes(pdf=(args.pdf, (".pdf",)), kml=(args.kml, (".kml",)))
    estate = _estate(args)
    rules = _rules(args) if args.zone else None
    if rules is not None:  # the zone is checked against the rules
        _require_valid(args, estate)
    named = _named_zones(args, estate, rules) if rules is not None and rules.multi_zone else None
    zone = _zone(args) if named is None else None
    report = None
    rules_source = None
    written = zone
    if named is not None:
        zones, report, statuses, written = named
        rules_source = rules.source if rules is not None else None
    elif zone is not None:
        from kitland.measure import check  # noqa: PLC0415

        assert rules is not None
        rules_source = rules.source
        report = check(estate, zone, rules)
    if named is None:
        zones, statuses = [], [_placed_status(zone, _map_lang(args)) or ""]
    # What the proof of a zone `place --out` wrote leaves out, as `place` says it.
    caveat = {short: "" if written is None else written_caveat(written, _map_lang(args), short=short)
              for short in (True, False)}  # fmt: skip
    plot_layers = None
    if args.plots:
        from kitland.plots import read_plots  # noqa: PLC0415

        plot_layers = read_plots(args.plots)
    _inputs_accepted(args)
    if args.png:
        save_png(estate, args.png, zone=zone, report=report, lang=_map_lang(args))
        _wrote(args, args.png, "picture")
    if args.pdf:
        from kitland.printing import write_pdf  # noqa: PLC0415

        plots_gdf, roads_gdf = plot_layers or (None, None)
        write_pdf(estate, args.pdf, zone=zone, report=report, rules_source=rules_source,
                  lang=_map_lang(args), paper=args.paper, orientation=args.orientation,
                  plots=plots_gdf, internal_roads=roads_gdf, zones=zones or None,
                  status=_shared(statuses), caveat=caveat[False])  # fmt: skip
        _wrote(args, args.pdf, "print layout, {paper} {orientation}", **_paper(args))
    if html:
        m = make_map(
            estate,
            zone=zone,
            report=report,
            lang=_map_lang(args),
            offline=args.offline,
            rules_source=rules_source,
            rules=rules,
            zones=zones,
            statuses=statuses,
            caveat=caveat[True],
        )
        if plot_layers is not None:
            from kitland.maps import add_plots  # noqa: PLC0415

            add_plots(m, estate, *plot_layers, lang=_map_lang(args))
        save_map(m, html)
        _wrote(args, html, "meeting map")
    if args.kml:
        from kitland.kml import write_kml  # noqa: PLC0415

        placed = (
            [(z.name, z.zone, z.report) for z in zones] if zones else
            [] if zone is None else
            [(rules.zone.name if rules and rules.zone else "zone", zone, report)]
        )  # fmt: skip
        write_kml(args.kml, estate, zones=placed, lang=_map_lang(args))
        _wrote(args, args.kml, "KML for Google Earth")
    return 0


def _named_zones(
    args: argparse.Namespace, estate: Estate, rules: Rules
) -> tuple[list[Any], Any, list[str], Any]:
    """The zones of ``--zone`` for a rules file of several zones, as ``make_map`` draws
    them (name, geometry, the zone's report), the check's report, what the solver
    proved of each zone when ``place`` wrote the file (its ``status`` and ``gap``), and
    the features drawn (rank 1 of each zone)."""
    from types import SimpleNamespace  # noqa: PLC0415

    from kitland.between import zone_geometries  # noqa: PLC0415
    from kitland.measure import check  # noqa: PLC0415
    from kitland.report import ZonesReport  # noqa: PLC0415

    gdf = _zones(args)
    report = check(estate, gdf, rules)
    geoms = zone_geometries(gdf, estate, rules)
    col = "zone_id" if "zone_id" in gdf.columns else "name"
    if "rank" in gdf.columns:
        gdf = gdf[gdf["rank"] == 1]
    zones, statuses = [], []
    for name, geom in geoms.items():
        each = report.zones.get(name) if isinstance(report, ZonesReport) else None
        zones.append(SimpleNamespace(name=name, zone=geom, report=each))
        row = gdf[gdf[col] == name]
        statuses.append(_placed_status(row, _map_lang(args)) or "")
    return zones, report, statuses, gdf


def _print_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--pdf", metavar="OUT.pdf", default=None,
                    help="write the print layout for the meeting (works offline)")  # fmt: skip
    sp.add_argument("--paper", choices=["A4", "A3"], default="A4", help="PDF paper (default A4)")
    sp.add_argument("--orientation", choices=["landscape", "portrait"], default="landscape",
                    help="PDF orientation (default landscape)")  # fmt: skip


def cmd_sweep(args: argparse.Namespace) -> int:
    """``kitland sweep``: place the zone for every combination (or a sample) of rule values."""
    from kitland._progress import SweepProgress, wanted  # noqa: PLC0415
    from kitland.estate import load_estate  # noqa: PLC0415
    from kitland.sweeps import parse_vary, sweep  # noqa: PLC0415

    varies = [parse_vary(v) for v in args.vary]  # bad syntax: exit 2 before any reading
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file; give a folder for the sweep's results")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    estates = [load_estate(e, assume_crs=args.assume_crs) for e in args.estate] or None
    rules = _rules(args)
    if args.zone_name:  # one zone of a [[zones]] file, by its own rules
        from kitland.comparison import one_zone  # noqa: PLC0415

        rules = one_zone(rules, args.zone_name, command="sweep")
    _require_valid(args, *(estates or ()))
    bar = SweepProgress() if wanted(quiet=args.quiet > 0) else None
    seen: dict[str, int] = {}

    def events(event: dict) -> None:
        if event["stage"] == "start":
            seen.update(done=event["reused"], total=event["total"])
            _inputs_accepted(args)
            again = (f" ({event['again']} of them again: undecided, lost with a worker, "
                     "found under a shorter --time-limit or stopped by the wall clock)"
                     if event.get("again") else "")  # fmt: skip
            if event["reused"] or again:
                _say(args, f"{event['reused']} of {event['total']} scenarios finished earlier "
                           f"in {out}; running the other {event['total'] - event['reused']}"
                           f"{again}")  # fmt: skip
            if event["dashboard"]:
                _say(args, f"Dask dashboard: {event['dashboard']}")
        elif event["stage"] == "scenario":
            seen["done"] = event["done"]
        if bar is not None:
            bar(event)

    try:
        res = sweep(estates, rules, vary=varies, out=out, sample=args.sample, seed=args.seed,
                    scheduler=args.scheduler, workers=args.workers, cell_m=args.cell_m,
                    time_limit_s=args.time_limit, chain=not args.no_chain,
                    progress=events)  # fmt: skip
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        done = (f"{seen['done']} of {seen['total']} scenarios done (kept in {out / 'scenarios'})"
                if seen else "before any scenario ran")  # fmt: skip
        print(f"kitland: interrupted: {done}; rerun the same command to resume", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
    _inputs_accepted(args)
    counts = res.results["status"].value_counts()
    sys.stdout.write(f"{len(res.results)} scenarios: "
                     + ", ".join(f"{n} {s}" for s, n in counts.items())
                     + f" ({res.computed} run now, {res.reused} finished earlier)\n")  # fmt: skip
    for msg, n in (
        res.results.loc[res.results["status"] == "FAILED", "message"].value_counts().items()
    ):
        sys.stdout.write(f"  failed ({n}×): {msg}\n")
    _say(args, f"wrote {out / 'results.parquet'} (one row per scenario) and "
               f"{out / 'zones.gpkg'} (layer zones)")  # fmt: skip
    if args.report:
        _sweep_report(args, out)
    return 1 if res.failed else 0


def _sweep_report(args: argparse.Namespace, folder: Path) -> None:
    from kitland.sweep_report import sweep_report  # noqa: PLC0415

    rep = sweep_report(folder, lang=args.lang, offline=args.offline)
    sys.stdout.write(rep.text)
    _say(args, f"wrote {len(rep.files)} files in {folder / 'report'} "
               f"({', '.join(p.name for p in rep.files)})")  # fmt: skip


def cmd_sweep_report(args: argparse.Namespace) -> int:
    """``kitland sweep-report``: plots, stability map and jumps of a finished sweep."""
    _inputs_accepted(args)
    _sweep_report(args, Path(args.folder))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """``kitland compare``: a proposed zone against the best one and the best one near it."""
    from kitland.comparison import compare, named_feature, one_zone  # noqa: PLC0415

    _outputs(args, args.map, args.report, args.pdf)
    _suffixes(map=(args.map, (".html", ".htm")), report=(args.report, (".json",)),
              pdf=(args.pdf, (".pdf",)))  # fmt: skip
    estate = _estate(args)
    rules = one_zone(_rules(args), args.zone_name)  # before the zone file: which zone
    zone = named_feature(_zones(args), args.zone_name) if args.zone_name else _zone(args)
    _require_valid(args, estate)
    result = compare(estate, zone, rules, time_limit_s=args.time_limit, cell_m=args.cell_m)
    _inputs_accepted(args)
    sys.stdout.write(result.summary(_text_lang(args)))
    if args.report:
        _write_text(args, args.report, result.to_json(), "JSON report")
    if args.map:
        from kitland.maps import compare_map, save_map  # noqa: PLC0415

        save_map(compare_map(estate, result, rules=rules, lang=_map_lang(args),
                             offline=args.offline), args.map)  # fmt: skip
        _wrote(args, args.map, "comparison map")
    if args.pdf:
        from kitland.i18n import tr  # noqa: PLC0415
        from kitland.maps import estate_title  # noqa: PLC0415
        from kitland.printing import write_pdf  # noqa: PLC0415

        others = [c for c in (result.best, result.near_proposal) if c is not None]
        lang = _map_lang(args)
        title = f"{estate_title(estate, lang)} — {tr(lang, 'Proposal against the best zone')}"
        write_pdf(estate, args.pdf, zone=result.proposal.zone, report=result.proposal.report,
                  alternatives=others, rules=rules, lang=lang, paper=args.paper,
                  orientation=args.orientation, title=title, score=result.proposal.score)  # fmt: skip
        _wrote(args, args.pdf, "print layout of the proposal, the best zones dashed")
    return 0 if result.passed else 1


def _parser() -> argparse.ArgumentParser:
    from kitland import __version__  # noqa: PLC0415

    p = _Parser(
        prog="kitland", description="Plan land in an industrial estate (default: KIT Batang)."
    )
    p.add_argument("--version", action="version", version=f"kitland {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output on stderr")
    p.add_argument("-q", "--quiet", action="count", default=0, help="less log output")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p.subcommands = sub.choices

    def estate_args(sp: argparse.ArgumentParser, *, many: bool = False) -> None:
        # -v/-q after the subcommand too (SUPPRESS keeps one given before it).
        sp.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more log output on stderr")  # fmt: skip
        sp.add_argument("-q", "--quiet", action="count", default=argparse.SUPPRESS,
                        help="less output on stderr")  # fmt: skip
        sp.add_argument(
            "estate",
            nargs="*" if many else "?",
            default=[] if many else None,
            help=f"GeoPackage{'s' * many} or folder{'s' * many} of layer files "
            "(default: bundled KIT Batang)",
        )
        sp.add_argument(
            "--assume-crs",
            metavar="CRS",
            type=_crs,
            default=None,
            help="CRS for layers that declare none, e.g. EPSG:23835",
        )

    def rules_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--rules",
            metavar="R.toml",
            default=None,
            help="rules file (default: the bundled UMKM rules)",
        )

    v = sub.add_parser("validate", help="report data problems and the land budget")
    estate_args(v)
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.add_argument("--lang", choices=["en", "id"], default=None,
                   help="language of the text report (default en; JSON is neutral)")  # fmt: skip
    v.add_argument("--output", "-o", metavar="FILE", default=None, help="write the report here")
    v.add_argument(
        "--fix",
        metavar="OUT.gpkg",
        default=None,
        help="write a repaired copy (make_valid) to OUT.gpkg; the input is never changed",
    )
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("check", help="check a zone and the layout against rules")
    estate_args(c)
    c.add_argument(
        "--zone",
        metavar="ZONE",
        default=None,
        help="vector file with one polygon (or a 'zone' layer); with a rules file of several "
        "[[zones]], one polygon per zone named in a zone_id (or name) column; omit to check "
        "layout rules only",
    )
    rules_arg(c)
    c.add_argument(
        "--plots",
        metavar="PLOTS.gpkg",
        default=None,
        help="also judge a plot layout (layers plots, internal_roads) cut from --zone",
    )
    c.add_argument("--zone-name", metavar="NAME", default=None,
                   help="with a [[zones]] rules file: check that zone alone by its own rules "
                        "(its feature in ZONE, by zone_id or name), e.g. with its --plots")  # fmt: skip
    c.add_argument("--feature", metavar="NAME", default=None,
                   help="of a ZONE file with several features (variants of one zone, e.g. a "
                        "KML's placemarks), check the one whose zone_id, name or id is NAME")  # fmt: skip
    c.add_argument("--format", choices=["text", "json", "junit"], default="text")
    c.add_argument("--output", "-o", metavar="FILE", default=None, help="write the report here")
    c.add_argument("--lang", choices=["en", "id"], default=None,
                   help="language of the text report (default en; JSON and JUnit are neutral)")  # fmt: skip
    c.add_argument("--cell-m", type=_positive("metres"), default=25.0, metavar="M",
                   help="the placement grid the score is measured on (default 25, as place)")  # fmt: skip
    c.set_defaults(func=cmd_check)

    pl = sub.add_parser("place", help="place the zone under the rules")
    estate_args(pl)
    rules_arg(pl)
    pl.add_argument("--out", metavar="OUT.gpkg", default=None, help="zone + new parcels layout")
    pl.add_argument("--map", metavar="M.html", default=None, help="write the meeting map")
    pl.add_argument("--report", metavar="R.json", default=None, help="write the JSON report")
    pl.add_argument(
        "--alternatives",
        type=_positive("placements", integer=True),
        default=1,
        metavar="K",
        help="number of placements",
    )
    pl.add_argument(
        "--cell-m",
        type=_positive("metres"),
        default=25.0,
        metavar="M",
        help="cell size in metres (default 25)",
    )
    pl.add_argument(
        "--time-limit",
        type=_positive("seconds"),
        default=60.0,
        metavar="S",
        help="solver time limit, s (default 60)",
    )
    pl.add_argument("--lang", choices=["id", "en"], default=None,
                    help="language of the text, map and PDF (default: text en, map and PDF id)")  # fmt: skip
    pl.add_argument("--offline", action="store_true", help="self-contained map without network")
    _print_args(pl)
    pl.add_argument("--kml", metavar="OUT.kml", default=None,
                    help="the estate and the placements for Google Earth")  # fmt: skip
    pl.set_defaults(func=cmd_place)

    pt = sub.add_parser("plots", help="cut a placed zone into plots along internal roads")
    estate_args(pt)
    pt.add_argument(
        "--zone",
        metavar="ZONE",
        required=True,
        help="the zone: a file with one polygon, or the 'zone' layer of `place --out` (rank 1)",
    )
    rules_arg(pt)
    pt.add_argument("--zone-name", metavar="NAME", default=None,
                    help="with a [[zones]] rules file: the zone cut into plots (its feature "
                         "in a zone file of several, by zone_id or name)")  # fmt: skip
    pt.add_argument(
        "--out", metavar="PLOTS.gpkg", default=None, help="layers plots, internal_roads, green"
    )
    pt.add_argument("--report", metavar="R.json", default=None, help="write the JSON report")
    pt.add_argument("--format", choices=["text", "json"], default="text", help="stdout format")
    pt.add_argument("--lang", choices=["en", "id"], default=None,
                    help="language of the text report and notes (default: en)")  # fmt: skip
    pt.set_defaults(func=cmd_plots)
    cp = sub.add_parser(
        "compare", help="a proposed zone against the best zone and the best near it"
    )
    estate_args(cp)
    cp.add_argument("--zone", metavar="PROPOSAL", required=True,
                    help="the proposed zone: a vector file with one polygon (e.g. drawn on the map)")  # fmt: skip
    rules_arg(cp)
    cp.add_argument("--zone-name", metavar="NAME", default=None,
                    help="with a [[zones]] rules file: the zone compared (its feature in a "
                         "zone file of several, by zone_id or name)")  # fmt: skip
    cp.add_argument("--map", metavar="M.html", default=None, help="write the comparison map")
    cp.add_argument("--report", metavar="R.json", default=None, help="write the JSON report")
    cp.add_argument("--time-limit", type=_positive("seconds"), default=120.0, metavar="S",
                    help="solver time for both placements together, s (default 120)")  # fmt: skip
    cp.add_argument("--cell-m", type=_positive("metres"), default=25.0, metavar="M",
                    help="cell size in metres (default 25)")  # fmt: skip
    cp.add_argument("--lang", choices=["id", "en"], default=None,
                    help="language of the text, map and PDF (default: text en, map and PDF id)")  # fmt: skip
    cp.add_argument("--offline", action="store_true", help="self-contained map without network")
    _print_args(cp)
    cp.set_defaults(func=cmd_compare)

    m = sub.add_parser("map", help="write the interactive meeting map")
    estate_args(m)
    m.add_argument("--zone", metavar="ZONE", default=None)
    m.add_argument(
        "--plots", metavar="PLOTS.gpkg", default=None, help="draw a plot layout (`plots --out`)"
    )
    rules_arg(m)
    m.add_argument(
        "--out", metavar="M.html", default=None, help="HTML output (default maps/kitland.html)"
    )
    m.add_argument(
        "--png",
        metavar="OUT.png",
        default=None,
        help="write a static picture (no HTML then, unless --out is given too; so for --pdf)",
    )
    m.add_argument("--lang", choices=["id", "en"], default=None,
                   help="language of the map, PDF and KML (default id) and of the notes on "
                        "stderr (default en)")  # fmt: skip
    m.add_argument("--offline", action="store_true", help="self-contained map without network")
    _print_args(m)
    m.add_argument("--kml", metavar="OUT.kml", default=None,
                   help="the estate (and zone) for Google Earth")  # fmt: skip
    m.set_defaults(func=cmd_map)
    _sweep_parsers(sub, estate_args, rules_arg)
    return p


def _sweep_parsers(sub: Any, estate_args: Any, rules_arg: Any) -> None:
    """``sweep`` and ``sweep-report``."""
    sw = sub.add_parser("sweep", help="place the zone for many combinations of rule values")
    estate_args(sw, many=True)
    rules_arg(sw)
    sw.add_argument("--vary", action="append", required=True, metavar='"NAME.KEY=VALUES"',
                    help='a rule parameter and its values: "river setback.min_m=50:200:25" '
                         '(start:stop:step) or "zone.area_ha=10,20,30"; repeat for more')  # fmt: skip
    how = sw.add_mutually_exclusive_group()
    how.add_argument("--grid", action="store_true", help="every combination (the default)")
    how.add_argument("--sample", type=_positive("scenarios", integer=True), default=None,
                     metavar="N", help="N combinations drawn at random (see --seed)")  # fmt: skip
    sw.add_argument("--seed", type=int, default=0, metavar="S", help="seed of --sample (default 0)")
    sw.add_argument("--zone-name", metavar="NAME", default=None,
                    help="with a [[zones]] rules file: the zone swept, by its own rules")  # fmt: skip
    sw.add_argument("--out", required=True, metavar="SWEEP_DIR",
                    help="folder for results.parquet, zones.gpkg and the finished scenarios")  # fmt: skip
    sw.add_argument("--scheduler", metavar="tcp://HOST:8786", default=None,
                    help="run on an existing Dask cluster (its scheduler's address)")  # fmt: skip
    sw.add_argument("--workers", type=_count, default=None, metavar="N",
                    help="worker processes of the local Dask cluster (default: one per core; "
                         "0: one after another in this process)")  # fmt: skip
    sw.add_argument("--cell-m", type=_positive("metres"), default=25.0, metavar="M",
                    help="cell size in metres (default 25)")  # fmt: skip
    sw.add_argument("--time-limit", type=_positive("seconds"), default=60.0, metavar="S",
                    help="solver time limit per scenario, s (default 60)")  # fmt: skip
    sw.add_argument("--no-chain", action="store_true",
                    help="start every scenario cold (default: scenarios that differ in the "
                         "last --vary start from the one before)")  # fmt: skip
    sw.add_argument("--report", action="store_true",
                    help="also write the report (as kitland sweep-report) at the end")  # fmt: skip
    sw.add_argument("--lang", choices=["id", "en"], default="id", help="map language")
    sw.add_argument("--offline", action="store_true", help="self-contained stability map")
    sw.set_defaults(func=cmd_sweep)

    sr = sub.add_parser("sweep-report", help="plots, stability map and jumps of a sweep")
    sr.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS)
    sr.add_argument("-q", "--quiet", action="count", default=argparse.SUPPRESS)
    sr.add_argument("folder", metavar="SWEEP_DIR", help="the --out folder of kitland sweep")
    sr.add_argument("--lang", choices=["id", "en"], default="id", help="map language")
    sr.add_argument("--offline", action="store_true", help="self-contained stability map")
    sr.set_defaults(func=cmd_sweep_report)


#: Exit code of an unexpected error (a kitland bug): sysexits.h EX_SOFTWARE.
EXIT_INTERNAL = 70

#: Exit code when stdout's reader went away: 128 + SIGPIPE, as the shell reports a tool
#: that a closed pipe stopped.
EXIT_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    0 success, 1 the answer is "no", 2 bad input or usage (one line on stderr), 3
    ``place`` undecided (time ran out before a zone was found or proven impossible),
    70 an unexpected error inside kitland (one line asking for a report; ``-v`` adds
    the traceback), 130 interrupted, 141 stdout's reader stopped reading (``| head``).
    """
    parser = _parser()
    lang = _argv_lang(sys.argv[1:] if argv is None else argv)
    for p in (parser, *(getattr(parser, "subcommands", None) or {}).values()):
        p.lang = lang
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0)
    level = logging.WARNING - 10 * args.verbose + 10 * args.quiet
    # kitland's own handler (not basicConfig: a no-op where the root logger is already
    # set up, as in Jupyter or pytest), removed again so repeated calls do not stack.
    handler = args.console = _Console(quiet=args.quiet > 0, lang=_text_lang(args))
    saved = (log.level, log.propagate)
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False
    try:
        code = _run(args)
        if code in (0, 1, 3):  # the run went on: nothing held is left unsaid
            handler.accept()
        return code
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]


def run() -> NoReturn:
    """The ``kitland`` program (and ``python -m kitland``): :func:`main` on the process's
    arguments, then exit with its code.

    What is still alive when the command is done (every imported module's objects, the
    estate it read) is frozen first (:func:`gc.freeze`), so that the garbage collector's
    last full pass, which the interpreter runs as it exits, does not walk it all: the
    process is ending, and its memory goes with it. Callers of :func:`main` within one
    process (tests, notebooks) keep a collector that walks everything.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


def _run(args: argparse.Namespace) -> int:
    from kitland.i18n import Message  # noqa: PLC0415

    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a reader that went away is found here, not at exit
        return code
    except BrokenPipeError:  # stdout's reader stopped reading (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except KitlandError as exc:
        print(f"kitland: {exc.render(_text_lang(args))}", file=sys.stderr)
        return 2
    except OSError as exc:  # unwritable output folder, disk full, …
        where = exc.filename or ""
        print(f"kitland: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        stop = Message("interrupted; no output was written")
        print(f"kitland: {stop.render(_text_lang(args))}", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: a bug, never a traceback by default
        log.info("traceback of the internal error:", exc_info=True)
        what = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        bug = Message(
            "internal error in `kitland {command}` ({what}); please report it with the command"
            " you ran (-v shows the traceback)",
            {"command": args.command, "what": what},
        )
        print(f"kitland: {bug.render(_text_lang(args))}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
