"""Actor files: YAML loaded with limits, validated with a pydantic schema, every error at ``file:line``.

Format (all keys but ``name`` optional)::

    sources:                              # optional: country of an outlet, qualifies ambiguous short forms
      kremlin.ru: Russia
    actors:
      - name: Volodymyr Zelensky          # canonical name (required)
        type: person                      # person/place/organisation/group/event/term/other
        aliases: [Zelenskyy, "re:zelensk(?:yy|iy|y)"]   # literal surface forms or re: regular expressions
      - name: UN Security Council
        type: organisation
        aliases: [United Nations Security Council, UNSC]
        ambiguous: [Security Council]     # short forms merged only when the article supports it
        context: [United Nations, UN]     # ... i.e. one of these (or a name/alias above) is in the article
      - name: special military operation
        patterns: ["special military operation", "re:spec(?:ial)?\\\\.? mil(?:itary)? op(?:eration)?"]
      - name: Kiev regime
        patterns:                         # token patterns (a subset of spaCy's Matcher syntax)
          - [{LOWER: {IN: [kiev, kyiv]}}, {LOWER: regime}]
          - {phrase: "KIEV REGIME", case: sensitive}

``aliases`` name surface forms of NER mentions (compared after possessives, titles and a leading "the" are
stripped, case-insensitively); ``patterns`` match the article text directly (see
:func:`newskit.actors.match_patterns`): an entry with patterns is a *term* (type ``term`` unless given).

Limits, so that a hostile file fails fast: at most :data:`MAX_BYTES` bytes, :data:`MAX_ALIASES` YAML
aliases (``*ref``) and :data:`MAX_NODES` nodes once aliases are expanded (a "billion laughs" file is
refused before anything is built); regular expressions are compiled with the ``regex`` package, probed
for catastrophic backtracking when the file is read and matched with a time limit
(:data:`REGEX_TIMEOUT` seconds) afterwards.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "mine.yml"
>>> _ = p.write_text("actors:\\n  - name: Kiev regime\\n    patterns: [Kiev regime]\\n")
>>> [(s.name, s.type, s.line) for s in load_actor_file(p)]
[('Kiev regime', 'term', 2)]
"""
from __future__ import annotations

import os
import reprlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

STARTER_FILE = Path(__file__).resolve().parents[1] / "data" / "actors.yml"

ACTOR_TYPES = ("person", "place", "organisation", "group", "event", "term", "other")
_TYPE_ALIASES = {"organization": "organisation", "org": "organisation", "location": "place",
                 "gpe": "place", "loc": "place", "per": "person", "norp": "group", "phrase": "term"}
_KEYS = ("name", "type", "aliases", "patterns", "ambiguous", "context")

#: Largest actor file read (bytes).
MAX_BYTES = 4_000_000
#: Most YAML aliases (``*name``) allowed in one actor file.
MAX_ALIASES = 200
#: Most YAML nodes once aliases are expanded.
MAX_NODES = 200_000
#: Seconds one regular expression may take on one string (probe at load and every match).
REGEX_TIMEOUT = 0.25

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = 4
_short.maxlevel = 2


class ActorFileError(ValueError):
    """A malformed actor file; the message names the file and line."""


@dataclass
class TextPattern:
    """One ``patterns:`` item of an entry, compiled to a regular expression over article text."""
    kind: str                       # "phrase", "regex" or "tokens"
    source: str                     # as written in the file (for messages)
    regex: Any                      # compiled ``regex`` pattern
    literal: str | None = None      # lower-cased phrase for the fast phrase table (case-insensitive phrases)


@dataclass
class ActorSpec:
    name: str
    type: str | None = None
    aliases: list[str] = field(default_factory=list)
    regexes: list[Any] = field(default_factory=list)          # compiled ``re:`` aliases
    patterns: list[TextPattern] = field(default_factory=list)  # text patterns (terms)
    ambiguous: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    source: str = ""                                           # "file:line"
    path: str = ""
    line: int = 0

    def __repr__(self) -> str:  # stable (part of the resolution cache key)
        return (f"ActorSpec({self.name!r}, {self.type!r}, {self.aliases!r}, "
                f"{[p.pattern for p in self.regexes]!r}, {[p.source for p in self.patterns]!r}, "
                f"{self.ambiguous!r}, {self.context!r}, {self.source!r})")


@dataclass
class ActorFile:
    """A validated actor file: its entries and its ``sources`` (outlet → country)."""
    path: str
    actors: list[ActorSpec]
    sources: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- YAML with limits
def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ActorFileError(f"{path}: actor file is {size:,} bytes (limit {MAX_BYTES:,})")
        data = path.read_bytes()
    except OSError as exc:
        raise ActorFileError(f"{path}: cannot read actor file ({exc.strerror or exc})") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ActorFileError(f"{path}:1: actor file is UTF-16; save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ActorFileError(f"{path}:{line}: actor file is not UTF-8 (byte 0x{data[exc.start]:02x} at "
                             f"offset {exc.start}); save it as UTF-8") from None


def _compose(text: str, path: Path):
    """The YAML node tree (aliases counted while parsing, expanded size checked before construction)."""
    import yaml

    class Loader(yaml.SafeLoader):
        n_aliases = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                Loader.n_aliases += 1
                if Loader.n_aliases > MAX_ALIASES:
                    mark = self.peek_event().start_mark
                    raise ActorFileError(f"{path}:{mark.line + 1}: more than {MAX_ALIASES} YAML aliases "
                                         "(*ref): refused (an actor file needs none)")
            return super().compose_node(parent, index)

    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_size(node, path)
            data = loader.construct_document(node)
        else:
            data = None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ActorFileError(f"{where}: YAML syntax error: {problem}") from None
    finally:
        loader.dispose()
    return node, data


def _check_size(root, path: Path) -> None:
    """Expanded node count (aliases share nodes: memoised by identity, so this is linear in the file)."""
    sizes: dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        kids = []
        if isinstance(node.value, list):
            for item in node.value:
                kids.extend(item if isinstance(item, tuple) else (item,))
        if not done:
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(k), 1) for k in kids)
        if total > MAX_NODES:
            raise ActorFileError(f"{path}:{node.start_mark.line + 1}: YAML expands to more than "
                                 f"{MAX_NODES:,} nodes (nested aliases?): refused")
        sizes[id(node)] = total


# --------------------------------------------------------------------------- regular expressions
_QUANTIFIED_GROUP = __import__("re").compile(r"\)(?:[+*]|\{\d*,)")


def compile_regex(pattern: str, *, where: str, name: str, flags: int | None = None):
    """Compile with the ``regex`` package and probe it for catastrophic backtracking.

    Raises
    ------
    ActorFileError
        For an invalid expression, or one that takes longer than :data:`REGEX_TIMEOUT` seconds on a
        short probe string (nested repetition such as ``(a+)+$``).

    Examples
    --------
    >>> compile_regex("kyiv|kiev", where="f.yml:3", name="Kyiv").fullmatch("Kiev") is not None
    True
    """
    import regex

    try:
        rx = regex.compile(pattern, regex.IGNORECASE | regex.V0 if flags is None else flags)
    except (regex.error, ValueError, TypeError) as exc:
        raise ActorFileError(f"{where}: bad pattern {_short.repr(pattern)} of {name!r}: {exc}") from None
    if not _QUANTIFIED_GROUP.search(pattern):
        return rx  # no repeated group: no catastrophic backtracking to probe for
    chars = []
    for ch in pattern:
        if ch.isalnum() and ch not in chars:
            chars.append(ch)
    for ch in chars[:8] or ["a"]:
        for probe in (ch * 30 + "!", (ch + " ") * 15 + "!"):
            try:
                rx.search(probe, timeout=REGEX_TIMEOUT)
                rx.fullmatch(probe, timeout=REGEX_TIMEOUT)
            except TimeoutError:
                raise ActorFileError(
                    f"{where}: pattern {_short.repr(pattern)} of {name!r} backtracks catastrophically (over "
                    f"{REGEX_TIMEOUT} s on {probe[:12]!r}…); avoid nested repetition such as (a+)+") from None
    return rx


def regex_fullmatch(rx, text: str, spec: "ActorSpec") -> bool:
    """``rx.fullmatch(text)`` with the time limit; a timeout names the entry's ``file:line``."""
    try:
        return rx.fullmatch(text, timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        raise ActorFileError(f"{spec.source}: pattern {_short.repr(rx.pattern)} of {spec.name!r} took over "
                             f"{REGEX_TIMEOUT} s on {_short.repr(text)}; simplify it") from None


_TOKEN_KEYS = {"LOWER", "TEXT", "ORTH", "OP", "IS_DIGIT", "IS_TITLE", "IS_UPPER"}


def _token_regex(tokens: list, where: str, name: str) -> tuple[str, bool]:
    """A spaCy-Matcher-style token pattern → (regex source, case-sensitive?)."""
    import regex

    parts, sensitive = [], False
    for tok in tokens:
        if not isinstance(tok, dict) or not tok:
            raise ActorFileError(f"{where}: token pattern of {name!r}: each token must be a mapping such as "
                                 f"{{LOWER: regime}}, not {_short.repr(tok)}")
        bad = set(tok) - _TOKEN_KEYS
        if bad:
            raise ActorFileError(f"{where}: token pattern of {name!r}: unknown key {sorted(bad)[0]!r} "
                                 f"(allowed: {', '.join(sorted(_TOKEN_KEYS))})")
        op = tok.get("OP", "")
        if op not in ("", "?", "*", "+", "!"):
            raise ActorFileError(f"{where}: token pattern of {name!r}: OP must be one of ? * + !, not {op!r}")
        alts: list[str] = []
        for key in ("LOWER", "TEXT", "ORTH"):
            if key not in tok:
                continue
            val = tok[key]
            vals = val.get("IN") if isinstance(val, dict) else [val]
            if not isinstance(vals, list) or not vals or not all(isinstance(v, str) and v for v in vals):
                raise ActorFileError(f"{where}: token pattern of {name!r}: {key} needs a string or "
                                     f"{{IN: [strings]}}, not {_short.repr(val)}")
            if key != "LOWER":
                sensitive = True
            alts += [regex.escape(v) if key != "LOWER" else "(?i:" + regex.escape(v) + ")" for v in vals]
        if tok.get("IS_DIGIT"):
            alts.append(r"\d+")
        if tok.get("IS_TITLE"):
            alts.append(r"\p{Lu}\p{Ll}+")
            sensitive = True
        if tok.get("IS_UPPER"):
            alts.append(r"\p{Lu}+")
            sensitive = True
        if not alts:
            alts.append(r"\w+")
        body = "(?:" + "|".join(alts) + ")"
        end = r"(?:\s+|(?!\w)|(?<=\W))"  # a token owns the space after it; punctuation may touch
        if op == "!":
            parts.append(rf"(?:(?!{body}(?!\w))\w+{end})")
        else:
            parts.append(f"(?:{body}{end}){op}")
    src = "".join(parts)
    return src, sensitive


def _text_pattern(item: Any, where: str, name: str) -> TextPattern:
    import regex

    case = "insensitive"
    if isinstance(item, dict) and "phrase" in item:
        bad = set(item) - {"phrase", "case"}
        if bad:
            raise ActorFileError(f"{where}: pattern of {name!r}: unknown key {sorted(bad)[0]!r} (allowed: "
                                 "phrase, case)")
        case = item.get("case", "insensitive")
        if case not in ("insensitive", "sensitive"):
            raise ActorFileError(f"{where}: pattern of {name!r}: case must be 'insensitive' or 'sensitive'")
        item = item["phrase"]
        if not isinstance(item, str):
            raise ActorFileError(f"{where}: pattern of {name!r}: phrase {_short.repr(item)} is not a string")
        if item.startswith("re:"):
            item = "\\" + item  # a phrase, never a regex
    if isinstance(item, list):
        src, sensitive = _token_regex(item, where, name)
        rx = compile_regex(r"(?<!\w)" + src + r"(?!\w)", where=where, name=name,
                           flags=regex.V0 if sensitive else regex.IGNORECASE | regex.V0)
        return TextPattern("tokens", _short.repr(item), rx)
    if not isinstance(item, str) or not item.strip():
        raise ActorFileError(f"{where}: pattern {_short.repr(item)} of {name!r} must be a phrase, "
                             "a 're:' expression, a token list or {phrase:, case:}")
    if item.startswith("re:"):
        rx = compile_regex(r"(?<!\w)(?:" + item[3:] + r")(?!\w)", where=where, name=name)
        return TextPattern("regex", item, rx)
    phrase = item.lstrip("\\") if item.startswith("\\re:") else item
    words = phrase.split()
    src = r"\s+".join(regex.escape(w) for w in words)
    flags = regex.V0 if case == "sensitive" else regex.IGNORECASE | regex.V0
    rx = regex.compile(r"(?<!\w)" + src + r"(?!\w)", flags)
    return TextPattern("phrase", phrase, rx, literal=" ".join(words).casefold() if case != "sensitive" else None)


# --------------------------------------------------------------------------- schema
def _schema():
    from typing import Union

    from pydantic import BaseModel, ConfigDict, field_validator

    class Entry(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        name: str
        type: Union[str, None] = None
        aliases: list[str] = []
        patterns: list[Any] = []
        ambiguous: list[str] = []
        context: list[str] = []

        @field_validator("name")
        @classmethod
        def _nonempty(cls, v: str) -> str:
            if not v.strip():
                raise ValueError("empty")
            return v.strip()

        @field_validator("aliases", "patterns", "ambiguous", "context", mode="before")
        @classmethod
        def _listify(cls, v):
            return [] if v is None else [v] if isinstance(v, (str, dict)) else v

    return Entry


def _line(node) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _key_line(node, key: str, default: int, index: int | None = None) -> int:
    if node is not None and isinstance(getattr(node, "value", None), list):
        for item in node.value:
            if isinstance(item, tuple) and getattr(item[0], "value", None) == key:
                v = item[1]
                if index is not None and isinstance(getattr(v, "value", None), list) and index < len(v.value):
                    return _line(v.value[index])
                return _line(v)
    return default


def _entry_error(exc, item: dict, node, path: Path, line: int) -> ActorFileError:
    err = exc.errors()[0]
    loc = err.get("loc", ())
    key = str(loc[0]) if loc else "name"
    idx = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    at = f"{path}:{_key_line(node, key, line, idx)}"
    name = item.get("name") if isinstance(item.get("name"), str) else None
    who = f" of {name!r}" if name else ""
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return ActorFileError(f"{at}: unknown key {key!r} (allowed: {', '.join(_KEYS)})")
    if key == "name":
        return ActorFileError(f"{at}: actor entry needs a non-empty 'name' (a string)")
    if key in ("aliases", "ambiguous", "context"):
        if idx is not None:
            return ActorFileError(f"{at}: {key[:-1] if key != 'context' else 'context'} "
                                  f"{_short.repr(err.get('input'))}{who} is not a string")
        return ActorFileError(f"{at}: '{key}'{who} must be a list of strings")
    if key == "type":
        return ActorFileError(f"{at}: unknown type {_short.repr(err.get('input'))}{who} "
                              f"(use one of {', '.join(ACTOR_TYPES)})")
    return ActorFileError(f"{at}: '{key}'{who}: {err.get('msg')}")


def _norm_type(value: Any, where: str) -> str | None:
    if value is None:
        return None
    t = str(value).strip().lower()
    t = _TYPE_ALIASES.get(t, t)
    if t not in ACTOR_TYPES:
        raise ActorFileError(f"{where}: unknown type {_short.repr(value)} (use one of {', '.join(ACTOR_TYPES)})")
    return t


def read_actor_file(path: str | os.PathLike) -> ActorFile:
    """Read and validate an actor file (entries and ``sources``).

    Raises
    ------
    ActorFileError
        With ``file:line`` for unreadable, oversized or non-UTF-8 files, YAML syntax errors, alias bombs,
        schema errors (missing ``name``, unknown keys or types, aliases that are not strings), invalid or
        catastrophic regular expressions.
    """
    from pydantic import ValidationError

    path = Path(path)
    if not path.exists():
        raise ActorFileError(f"{path}: actor file not found")
    if path.is_dir():
        raise ActorFileError(f"{path}: actor file is a directory")
    text = _read_text(path)
    root, data = _compose(text, path)
    if data is None:
        return ActorFile(str(path), [])
    if not isinstance(data, dict) or "actors" not in data:
        raise ActorFileError(f"{path}:{_line(root)}: expected a mapping with an 'actors:' list")
    extra = sorted(set(map(str, data)) - {"actors", "sources"})
    if extra:
        raise ActorFileError(f"{path}:{_key_line(root, extra[0], 1)}: unknown top-level key {extra[0]!r} "
                             "(allowed: actors, sources)")
    actors_node = next((v for k, v in root.value if k.value == "actors"), None)
    items = data["actors"] or []
    if not isinstance(items, list):
        raise ActorFileError(f"{path}:{_line(actors_node)}: 'actors' must be a list of entries")
    sources = data.get("sources") or {}
    if not isinstance(sources, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in sources.items()):
        raise ActorFileError(f"{path}:{_key_line(root, 'sources', 1)}: 'sources' must map outlet hosts to "
                             "country names (strings)")
    Entry = _schema()
    nodes = actors_node.value if isinstance(actors_node.value, list) else []
    specs = []
    for i, item in enumerate(items):
        node = nodes[i] if i < len(nodes) else None
        line = _line(node)
        where = f"{path}:{line}"
        if not isinstance(item, dict):
            raise ActorFileError(f"{where}: actor entry must be a mapping with 'name', 'type', 'aliases'")
        try:
            e = Entry.model_validate(item)
        except ValidationError as exc:
            raise _entry_error(exc, item, node, path, line) from None
        atype = _norm_type(e.type, f"{path}:{_key_line(node, 'type', line)}")
        aliases, regexes, patterns = [], [], []
        for j, v in enumerate(e.aliases):
            if v.startswith("re:"):
                regexes.append(compile_regex(v[3:], where=f"{path}:{_key_line(node, 'aliases', line, j)}",
                                             name=e.name))
            elif v.strip():
                aliases.append(v.strip())
        for j, v in enumerate(e.patterns):
            patterns.append(_text_pattern(v, f"{path}:{_key_line(node, 'patterns', line, j)}", e.name))
        if patterns and atype is None:
            atype = "term"
        specs.append(ActorSpec(e.name, atype, aliases, regexes, patterns,
                               [a.strip() for a in e.ambiguous if a.strip()],
                               [c.strip() for c in e.context if c.strip()],
                               source=where, path=str(path), line=line))
    return ActorFile(str(path), specs, {k.strip().lower().removeprefix("www."): v.strip()
                                        for k, v in sources.items()})


def load_actor_file(path: str | os.PathLike) -> list[ActorSpec]:
    """The validated entries of an actor file (see :func:`read_actor_file`)."""
    return read_actor_file(path).actors


def check_actor_file(path: str | os.PathLike | Sequence | None) -> int:
    """Validate actor file(s) before any annotation work; returns the number of entries.

    The CLI and ``newskit report`` call this first, so that a typo costs seconds, not a run.

    Raises
    ------
    ActorFileError
        Naming the file and line of the first problem.

    Examples
    --------
    >>> check_actor_file(None) > 50   # the starter file alone
    True
    """
    return len(actor_specs(path))


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float, size: int) -> ActorFile:
    return read_actor_file(path)


def _files(actor_file) -> list[Path]:
    if actor_file is None:
        return []
    if isinstance(actor_file, (str, os.PathLike)):
        return [Path(actor_file)]
    return [Path(f) for f in actor_file]


def _load(p: Path) -> ActorFile:
    if not p.exists():
        raise ActorFileError(f"{p}: actor file not found")
    st = p.stat()
    return _load_cached(str(p.resolve()), st.st_mtime, st.st_size)


def actor_files(actor_file=None) -> list[ActorFile]:
    """The user file(s) then the starter file, each validated."""
    out = [_load(p) for p in _files(actor_file)]
    if STARTER_FILE.exists():
        out.append(_load(STARTER_FILE))
    return out


def actor_specs(actor_file: str | os.PathLike | Sequence | None = None) -> list[ActorSpec]:
    """Starter file entries, overridden (same name) and extended by the user file(s)."""
    files = actor_files(actor_file)
    user = [s for f in files[:-1] for s in f.actors] if STARTER_FILE.exists() else [s for f in files for s in f.actors]
    starter = files[-1].actors if STARTER_FILE.exists() else []
    names = {s.name.lower() for s in user}
    return user + [s for s in starter if s.name.lower() not in names]


def source_countries(actor_file=None) -> dict[str, str]:
    """``sources:`` of all files (outlet host → country); user files win."""
    out: dict[str, str] = {}
    for f in reversed(actor_files(actor_file)):
        out.update(f.sources)
    return out
