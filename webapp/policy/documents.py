"""Policy documents as people edit them: YAML text in, validated document or errors by path out."""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from tenants import PolicyInvalid, load_policy
from tenants.errors import Refusal
from tenants.markers import N_
from webapp.bounds import MAX_DEPTH
from webapp.validation_messages import engine_message

MAX_DOCUMENT_BYTES = 256 * 1024
_TAG = "tag:yaml.org,2002:"
# Explicit tags that say no more than JSON can: anything else (!!binary, !!python/..., !!set,
# !!timestamp, a local !tag) is refused.
JSON_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}


# PyYAML's own words for the commonest mistakes, as msgids so a reader sees them in their
# language; their English is PyYAML's exactly. Any other problem keeps PyYAML's English.
_YAML_PROBLEMS = (
    (re.compile(r"mapping values are not allowed here"), N_("mapping values are not allowed here")),
    (re.compile(r"mapping keys are not allowed here"), N_("mapping keys are not allowed here")),
    (
        re.compile(r"sequence entries are not allowed here"),
        N_("sequence entries are not allowed here"),
    ),
    (re.compile(r"could not find expected ':'"), N_("could not find expected ':'")),
    (re.compile(r"found unexpected end of stream"), N_("found unexpected end of stream")),
    (
        re.compile(r"found unexpected document separator"),
        N_("found unexpected document separator"),
    ),
    (
        re.compile(r"invalid indentation or unclosed '\[' or '\{'"),
        N_("invalid indentation or unclosed '[' or '{'"),
    ),
    (
        re.compile(r"expected <block end>, but found (?P<token>.+)"),
        N_("expected <block end>, but found %(token)s"),
    ),
    (
        re.compile(r"expected ',' or '\]', but got (?P<token>.+)"),
        N_("expected ',' or ']', but got %(token)s"),
    ),
    (
        re.compile(r"expected ',' or '\}', but got (?P<token>.+)"),
        N_("expected ',' or '}', but got %(token)s"),
    ),
    (
        re.compile(r"found character (?P<character>.+) that cannot start any token"),
        N_("found character %(character)s that cannot start any token"),
    ),
)


def _yaml_problem(problem: str) -> str:
    """PyYAML's problem as a Refusal when it is one of _YAML_PROBLEMS (our own already are)."""
    if isinstance(problem, Refusal):
        return problem
    for pattern, template in _YAML_PROBLEMS:
        if match := pattern.fullmatch(problem):
            return Refusal(template, **match.groupdict())
    return problem


class DocumentErrors(ValueError):
    """The text is not a valid policy; `errors` lists (path, message) pairs, each message in
    the reader's language (the engine's refusals translated, issue 16 item 2)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {m}" for p, m in errors))
        self.errors = [(path, engine_message(message)) for path, message in errors]


class JsonLoader(yaml.SafeLoader):
    """A safe loader restricted to JSON's types: mappings, lists, strings, numbers, booleans
    and null. No explicit tag beyond JSON_TAGS, no aliases (a few lines of them expand to
    gigabytes), no dates (2026-01-01 stays text, which the policy reads as a date), and no
    nesting beyond bounds.MAX_DEPTH, refused while composing, before any recursion."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag in JSON_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            problem = Refusal(N_("aliases (*name) are not allowed"))
            raise ComposerError(None, None, problem, event.start_mark)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in JSON_TAGS:
            shown = tag.replace(_TAG, "!!")
            problem = Refusal(N_("the tag %(tag)s is not allowed"), tag=shown)
            raise ComposerError(None, None, problem, event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH and isinstance(
                event, yaml.SequenceStartEvent | yaml.MappingStartEvent
            ):
                problem = Refusal(N_("nested deeper than %(depth)s levels"), depth=MAX_DEPTH)
                raise ComposerError(None, None, problem, event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        for key_node, _value in node.value:
            if key_node.tag != _TAG + "str":
                problem = Refusal(N_("keys must be text (quote them)"))
                raise ConstructorError(None, None, problem, key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_float(self, node: Any) -> float:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise ConstructorError(None, None, Refusal(N_("not a finite number")), node.start_mark)
        return value


JsonLoader.add_constructor(_TAG + "float", JsonLoader.construct_yaml_float)


def to_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def parse_yaml(text: str, *, path: str = "") -> Any:
    """YAML text to data; a syntax error is reported at `path` with its line."""
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        too_large = Refusal(N_("larger than %(size)s KiB"), size=MAX_DOCUMENT_BYTES // 1024)
        raise DocumentErrors([(path, too_large)])
    try:
        return yaml.load(text, Loader=JsonLoader)  # a SafeLoader, narrowed to JSON
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = _yaml_problem(getattr(exc, "problem", None) or str(exc))
        if mark:
            message = Refusal(
                N_("not valid YAML (line %(line)s, column %(column)s): %(problem)s"),
                line=mark.line + 1,
                column=mark.column + 1,
                problem=problem,
            )
        else:
            message = Refusal(N_("not valid YAML: %(problem)s"), problem=problem)
        raise DocumentErrors([(path, message)]) from None


def is_empty(document: Any) -> bool:
    """Whether a document says nothing (saving it would put every setting to its default)."""
    return document is None or document == {} or document == []


def validate(document: Any) -> dict[str, Any]:
    """The canonical form of `document`, or DocumentErrors listing every problem by path."""
    try:
        return load_policy(document).dump()
    except PolicyInvalid as exc:
        raise DocumentErrors(exc.errors) from None


def with_section(document: dict[str, Any], section: str, section_text: str) -> dict[str, Any]:
    """`document` with `section` replaced by the YAML in `section_text`."""
    updated = dict(document)
    value = parse_yaml(section_text, path=section)
    if value is None:
        updated.pop(section, None)
    else:
        updated[section] = value
    return updated


def side_by_side(old: dict[str, Any], new: dict[str, Any], old_label: str, new_label: str) -> str:
    """An HTML table showing the two documents' YAML side by side, changes highlighted."""
    return difflib.HtmlDiff(wrapcolumn=70).make_table(
        to_yaml(old).splitlines(),
        to_yaml(new).splitlines(),
        old_label,
        new_label,
        context=True,
        numlines=3,
    )
