#!/usr/bin/env python3
"""Scores fork-lint's findings on the real-world development set against labels.

    eval_realworld.py score LABELS.toml FINDINGS_DIR [--crate NAME]... [--quiet]
    eval_realworld.py crates LABELS.toml
    eval_realworld.py oracle-copy LABELS.toml SRC_CRATES DEST_CRATES [--crate NAME]...

LABELS.toml is fork-lint/eval/realworld.toml (its header states the labelling
policy). FINDINGS_DIR holds one `<crate>.jsonl` per crate: the JSON Lines
output of `fork-lint --format json .` run inside that crate's directory, so
that every `file` is relative to the crate (scripts/eval-realworld.sh makes
them).

Matching (the same rule as the header of realworld.toml):

- a finding matches a hazard label when the rule is the same, the file is the
  same and the label's line is the finding's primary line (since per-hazard
  reporting, issue 9, a finding is located at the hazardous operation itself,
  or for a hazard inside a dependency at the last call in the crate; its
  chain holds the calls that lead there, which are not hazards);
- a hazard is found when at least one finding matches it;
- a finding is a true positive when it matches at least one hazard label;
  otherwise it is a false positive: "on a safe label" when its primary line
  is a `safe` line (whose `rules`, when listed, include the finding's rule),
  else "unlabelled" (also counted as false, and listed so that a reviewer
  can relabel it). An unlabelled finding on a labelled hazard's line with
  another rule is listed as "other rule".

recall = found / labelled hazards; precision = true positives / findings.

`crates` prints the labelled crate names; `oracle-copy` copies the crates and
marks the functions named by the labels' `oracle` entries with
`#[fork_guard::child]` (the region oracle, see realworld.toml).
Standard library only (tomllib needs Python 3.11).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


def norm(path: str) -> str:
    """Crate-relative, `/`-separated, without a leading `./`."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


@dataclass(frozen=True)
class Hazard:
    file: str
    line: int
    rule: str
    note: str
    bug: str | None
    reach: str | None


@dataclass(frozen=True)
class Safe:
    file: str
    line: int
    note: str
    rules: tuple[str, ...]  # empty: every rule

    def covers(self, rule: str) -> bool:
        return not self.rules or rule in self.rules


@dataclass
class Finding:
    rule: str
    level: str
    file: str
    line: int
    message: str
    chain: list[tuple[str, int]]

    def lines(self) -> set[tuple[str, int]]:
        """The (file, line) a finding matches labels on: its primary location."""
        return {self.site()}

    def site(self) -> tuple[str, int]:
        """Where the finding says the hazardous operation is."""
        return (self.file, self.line)

    def where(self) -> str:
        s = f"{self.file}:{self.line}"
        if self.chain:
            s += f" (via {self.chain[0][0]}:{self.chain[0][1]})"
        return s


@dataclass
class CrateScore:
    name: str
    hazards: list[Hazard]
    safes: list[Safe]
    findings: list[Finding]
    errors: list[str]
    found: list[Hazard] = field(default_factory=list)
    missed: list[Hazard] = field(default_factory=list)
    true_pos: list[Finding] = field(default_factory=list)
    on_safe: list[tuple[Finding, Safe]] = field(default_factory=list)
    other_rule: list[tuple[Finding, Hazard]] = field(default_factory=list)
    unlabelled: list[Finding] = field(default_factory=list)


def load_doc(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f).get("crates", {})


def load_labels(path: Path) -> dict[str, tuple[list[Hazard], list[Safe]]]:
    crates = load_doc(path)
    out = {}
    for name, c in crates.items():
        hazards = [
            Hazard(
                norm(h["file"]), int(h["line"]), h["rule"], h.get("note", ""), h.get("bug"), h.get("reach")
            )
            for h in c.get("hazard", [])
        ]
        safes = [
            Safe(norm(s["file"]), int(s["line"]), s.get("note", ""), tuple(s.get("rules", [])))
            for s in c.get("safe", [])
        ]
        out[name] = (hazards, safes)
    return out


def load_findings(path: Path) -> tuple[list[Finding], list[str], list[str]]:
    """Findings, file errors fork-lint reported, and fatal problems of the run."""
    findings, errors = [], []
    if not path.exists():
        return findings, errors, [f"no output file {path}"]
    summary = False
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            errors.append(f"{path.name}:{n}: not JSON ({e})")
            continue
        kind = obj.get("type")
        if kind == "finding":
            chain = [(norm(s["file"]), int(s["line"])) for s in obj.get("chain") or []]
            findings.append(
                Finding(
                    obj["rule"],
                    obj.get("level", ""),
                    norm(obj["file"]),
                    int(obj["line"]),
                    obj.get("message", ""),
                    chain,
                )
            )
        elif kind == "error":
            errors.append(f"{obj.get('file')}:{obj.get('line')}: {obj.get('message')}")
        elif kind == "summary":
            summary = True
    fatal = []
    if not summary:
        fatal.append(f"{path.name}: no summary line, fork-lint did not finish (see {path.stem}.stderr)")
    return findings, errors, fatal


def score(name: str, hazards: list[Hazard], safes: list[Safe], findings: list[Finding], errors: list[str]) -> CrateScore:
    s = CrateScore(name, hazards, safes, findings, errors)
    for h in hazards:
        if any(f.rule == h.rule and (h.file, h.line) in f.lines() for f in findings):
            s.found.append(h)
        else:
            s.missed.append(h)
    for f in findings:
        on_safe = [x for x in safes if (x.file, x.line) == f.site() and x.covers(f.rule)]
        if any(f.rule == h.rule and (h.file, h.line) in f.lines() for h in hazards):
            s.true_pos.append(f)
        elif on_safe:
            s.on_safe.append((f, on_safe[0]))
        else:
            same_line = [h for h in hazards if (h.file, h.line) in f.lines()]
            if same_line:
                s.other_rule.append((f, same_line[0]))
            s.unlabelled.append(f)
    return s


MORE = re.compile(r"and \d+ more \S+ hazards?")


def check_labels(
    labels: dict[str, tuple[list[Hazard], list[Safe]]], names: list[str], crates_dir: Path | None, rules: str | None
) -> list[str]:
    """Typos in the labels: unknown rule ids, missing files, lines past the end."""
    known = None
    if rules:
        known = {line.split()[0] for line in Path(rules).read_text().splitlines() if line.strip()}
    problems = []
    for name in names:
        hazards, safes = labels[name]
        for h in hazards:
            if known is not None and h.rule not in known:
                problems.append(f"{name}: {h.file}:{h.line}: unknown rule {h.rule!r}")
        for x in safes:
            for r in x.rules:
                if known is not None and r not in known:
                    problems.append(f"{name}: {x.file}:{x.line}: unknown rule {r!r} in a safe entry")
        if crates_dir is None:
            continue
        for x in [*hazards, *safes]:
            path = crates_dir / name / x.file
            if not path.is_file():
                problems.append(f"{name}: no file {x.file}")
            else:
                text = path.read_text(errors="replace").splitlines()
                if not 1 <= x.line <= len(text):
                    problems.append(f"{name}: {x.file}:{x.line} is past the end of the file")
                elif not text[x.line - 1].strip() or text[x.line - 1].strip().startswith("//"):
                    problems.append(f"{name}: {x.file}:{x.line} is blank or a comment")
    return problems


def ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def oracle_copy(labels: Path, src: Path, dest: Path, names: list[str], deep: bool) -> int:
    """Copies the crates and marks each `oracle` function with #[fork_guard::child]
    (with `deep`, also the entries marked `deep = true`)."""
    crates = load_doc(labels)
    for name in names or sorted(crates):
        if name not in crates:
            print(f"eval_realworld: no labels for {name}", file=sys.stderr)
            return 2
        target = dest / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(src / name, target)
        for o in crates[name].get("oracle", []):
            if o.get("deep", False) and not deep:
                continue
            path = target / norm(o["file"])
            lines = path.read_text().split("\n")
            i = int(o["line"]) - 1
            if not 0 <= i < len(lines):
                print(f"eval_realworld: {name}/{o['file']}:{o['line']} is past the end of the file", file=sys.stderr)
                return 2
            text = lines[i]
            body = text.lstrip()
            if not any(body.startswith(k) for k in ("fn ", "pub ", "unsafe ", "pub(", "async ", "const ")):
                print(f"eval_realworld: {name}/{o['file']}:{o['line']} is not a fn line: {text.strip()}", file=sys.stderr)
                return 2
            # Same line, so every label keeps its line number.
            lines[i] = text[: len(text) - len(body)] + "#[fork_guard::child] " + body
            path.write_text("\n".join(lines))
    return 0


def score_main(args: argparse.Namespace) -> int:
    try:
        labels = load_labels(args.labels)
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as e:
        print(f"eval_realworld: cannot read {args.labels}: {e!r}", file=sys.stderr)
        return 2
    names = args.crate or sorted(labels)
    unknown = [n for n in names if n not in labels]
    if unknown:
        print(f"eval_realworld: no labels for {', '.join(unknown)}", file=sys.stderr)
        return 2

    problems = check_labels(labels, names, args.crates_dir, args.rules)
    if problems:
        for p in problems:
            print(f"eval_realworld: bad label: {p}", file=sys.stderr)
        return 2

    scores = []
    fatal = []
    for name in names:
        hazards, safes = labels[name]
        findings, errors, problems = load_findings(args.findings_dir / f"{name}.jsonl")
        fatal += problems
        scores.append(score(name, hazards, safes, findings, errors + problems))
    header = f"{'crate':<18} {'hazards':>7} {'found':>5} {'recall':>6} {'findings':>8} {'TP':>4} {'FP-safe':>7} {'FP-unlab':>8} {'precision':>9}"
    print(header)
    print("-" * len(header))
    tot = [0] * 6
    for s in scores:
        fp_unl = len(s.unlabelled)
        row = [len(s.hazards), len(s.found), len(s.findings), len(s.true_pos), len(s.on_safe), fp_unl]
        tot = [a + b for a, b in zip(tot, row)]
        print(
            f"{s.name:<18} {row[0]:>7} {row[1]:>5} {ratio(row[1], row[0]):>6} {row[2]:>8} {row[3]:>4} {row[4]:>7} {row[5]:>8} {ratio(row[3], row[2]):>9}"
        )
    print("-" * len(header))
    print(
        f"{'total':<18} {tot[0]:>7} {tot[1]:>5} {ratio(tot[1], tot[0]):>6} {tot[2]:>8} {tot[3]:>4} {tot[4]:>7} {tot[5]:>8} {ratio(tot[3], tot[2]):>9}"
    )
    labelled = tot[3] + tot[4]
    static = [h for s in scores for h in s.hazards if h.reach is None]
    static_found = [h for s in scores for h in s.found if h.reach is None]
    print(
        f"\nrecall {ratio(tot[1], tot[0])} ({tot[1]}/{tot[0]}); precision {ratio(tot[3], tot[2])} "
        f"({tot[3]}/{tot[2]}, unlabelled findings counted as false); "
        f"precision on labelled lines only {ratio(tot[3], labelled)} ({tot[3]}/{labelled})"
    )
    # The same at error level only (warnings such as `panic` on an
    # `unwrap` that cannot fail, or a method guessed by name, left out).
    err = [f for s in scores for f in s.findings if f.level == "error"]
    err_tp = [f for s in scores for f in s.true_pos if f.level == "error"]
    print(f"precision of error-level findings {ratio(len(err_tp), len(err))} ({len(err_tp)}/{len(err)})")
    if len(static) != tot[0]:
        print(
            f"recall without the {tot[0] - len(static)} hazards reached only through run-time dispatch: "
            f"{ratio(len(static_found), len(static))} ({len(static_found)}/{len(static)})"
        )

    for e in fatal:
        print(f"eval_realworld: {e}", file=sys.stderr)
    if args.quiet:
        return 2 if fatal else 0
    for s in scores:
        if not (s.missed or s.on_safe or s.unlabelled or s.errors):
            continue
        print(f"\n== {s.name}")
        for e in s.errors:
            print(f"  error: {e}")
        for h in s.missed:
            bug = f" [bug: {h.bug}]" if h.bug else ""
            # fork-lint reports one finding per rule per call, naming the
            # first hazard and counting the rest ("and 3 more alloc
            # hazards"); such a hazard may be one of those not named.
            hidden = [f.where() for f in s.findings if f.rule == h.rule and MORE.search(f.message)]
            maybe = f"  [maybe behind \"and N more\" at {', '.join(hidden)}]" if hidden else ""
            print(f"  missed      {h.rule:<12} {h.file}:{h.line}  {h.note}{bug}{maybe}")
        for f, x in s.on_safe:
            print(f"  FP on safe  {f.rule:<12} {f.where()}  safe: {x.note}")
        other = {id(f): h for f, h in s.other_rule}
        for f in s.unlabelled:
            tag = "other rule " if id(f) in other else "unlabelled "
            extra = f"  (labelled {other[id(f)].rule} there)" if id(f) in other else ""
            print(f"  {tag} {f.rule:<12} {f.where()}  {f.message}{extra}")
    return 2 if fatal else 0




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sc = sub.add_parser("score", help="score findings against the labels")
    sc.add_argument("labels", type=Path)
    sc.add_argument("findings_dir", type=Path)
    sc.add_argument("--crate", action="append", default=[], help="score only these crates")
    sc.add_argument("--quiet", action="store_true", help="print the table only")
    sc.add_argument("--crates-dir", type=Path, help="check that every label's file and line exist there")
    sc.add_argument("--rules", help="file with `fork-lint --list-rules` output: check every label's rule id")
    cr = sub.add_parser("crates", help="print the labelled crate names")
    cr.add_argument("labels", type=Path)
    oc = sub.add_parser("oracle-copy", help="copy the crates with the oracle functions marked")
    oc.add_argument("labels", type=Path)
    oc.add_argument("src", type=Path)
    oc.add_argument("dest", type=Path)
    oc.add_argument("--crate", action="append", default=[])
    oc.add_argument("--deep", action="store_true", help="also mark the `deep = true` entries")
    args = ap.parse_args()
    if args.cmd == "crates":
        print("\n".join(sorted(load_doc(args.labels))))
        return 0
    if args.cmd == "oracle-copy":
        return oracle_copy(args.labels, args.src, args.dest, args.crate, args.deep)
    return score_main(args)


if __name__ == "__main__":
    sys.exit(main())
