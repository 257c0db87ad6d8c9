"""Actor resolution: surface forms of entity mentions → canonical actors.

The package, in the order the pipeline uses it:

* :mod:`~newskit.actors.spans` — :func:`repair_spans` fixes NER spans after NER (title + country + name
  split, split names re-joined, "St" kept, place contexts marked);
* :mod:`~newskit.actors.patterns` — :func:`match_patterns` finds the actor files' ``patterns:`` (phrase
  and dictionary actors of type ``term``) in the text;
* :mod:`~newskit.actors.normalise` — :func:`normalise_surface` (quotes, possessives, "the", titles),
  :func:`is_non_entity`, :func:`translit_key`, generic and ambiguous phrases;
* :mod:`~newskit.actors.actor_file` — YAML actor files: limits, schema, ``file:line`` errors,
  :func:`check_actor_file` (call it before any annotation work);
* :mod:`~newskit.actors.rules` — one function per resolution rule (see there for the order);
* :mod:`~newskit.actors.resolve` — :func:`resolve_actors`, :func:`resolve_surface_forms`,
  :func:`actor_rejects`, :func:`unmatched_entries`, :func:`explain_actor`;
* :mod:`~newskit.actors.lookup` — :func:`lookup_actors`, the one name lookup of every analysis.

Actor file format::

    actors:
      - name: Volodymyr Zelensky       # canonical name (required)
        type: person                   # person/place/organisation/group/event/term/other (optional)
        aliases: [Zelenskyy, Zelenskiy, "re:zelensk(?:yy|iy|ii|yi|y|i)"]
      - name: special military operation
        patterns: [special military operation]     # matched in the text: a term

>>> normalise_surface("President Putin's")
'Putin'
>>> translit_key("Zelenskyy") == translit_key("Zelensky") == translit_key("Zelenskiy")
True
"""
from __future__ import annotations

from newskit.actors.actor_file import (ACTOR_TYPES, MAX_ALIASES, MAX_BYTES, MAX_NODES, REGEX_TIMEOUT,
                                       STARTER_FILE, ActorFile, ActorFileError, ActorSpec, TextPattern,
                                       actor_files, actor_specs, check_actor_file, load_actor_file,
                                       read_actor_file, source_countries)
from newskit.actors.lookup import UnknownActorError, explain_actor, lookup_actors
from newskit.actors.normalise import (AMBIGUOUS, DEMONYMS, GENERIC, LABEL_TYPES, _close_spelling,
                                      generic_reason, is_non_entity, normalise_surface, translit_key)
from newskit.actors.patterns import (PatternMatcher, add_pattern_mentions, compile_patterns, match_patterns,
                                     pattern_mentions)
from newskit.actors.resolve import (REJECT_REASONS, _resolve_cached, actor_rejects, resolve_actors,
                                    resolve_surface_forms, unmatched_entries)
from newskit.actors.spans import repair_spans

__all__ = [
    "ACTOR_TYPES", "AMBIGUOUS", "DEMONYMS", "GENERIC", "LABEL_TYPES", "STARTER_FILE", "ActorFile",
    "ActorFileError", "ActorSpec", "PatternMatcher", "UnknownActorError", "actor_rejects", "actor_specs",
    "add_pattern_mentions", "check_actor_file", "compile_patterns", "explain_actor", "generic_reason",
    "is_non_entity", "load_actor_file", "lookup_actors", "match_patterns", "normalise_surface",
    "pattern_mentions", "read_actor_file", "repair_spans", "resolve_actors", "resolve_surface_forms",
    "translit_key", "unmatched_entries",
]
