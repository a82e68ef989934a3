"""Faster cfn-lint on svcgen's templates, with exactly the same findings.

Profiling cfn-lint 1.58 on an 80-function template (~500 resources, `bench/wide_service.py`)
showed most of its time in work that grows with the size of the whole template and is
repeated for every resource, not in the checks themselves:

- every JSON-schema rule, for every resource, builds a brand-new validator *class*
  (`validators.create`, a `@dataclass` made inside a function: `exec` of generated code);
- `Ref` and `GetAtt` checks compare the name against a fresh list of every resource name
  with a Python-level `equal` per entry (quadratic: ~1.2 million comparisons);
- `Context.module_names` is a `cached_property` of an object that is copied (`evolve`) tens
  of thousands of times, so the cache is always empty and it rescans every resource;
- `Template.get_valid_getatts` rebuilds the table of every resource's attributes per GetAtt;
- E1101 (`cfnLint`) loops over all its child rules and their keywords for every value;
- copying contexts, paths, function filters and validators (`evolve`, `descend`; ~100,000
  per template) loops over `dataclasses.fields` and runs the generated `__init__` each time.

Each replacement below returns the same value or yields the same errors as the code it
replaces, only without the repeated work; none skips a rule or a resource. The equivalence
is tested, not assumed: tests/unit/test_lint_speedups.py lints every demo, example and golden
template, and deliberately broken copies of them, with and without these changes (plain
cfn-lint in a separate process) and requires equal findings.

They patch cfn-lint's classes, so they apply only to the exact version they were written
against (CFN_LINT_VERSION, the version pyproject.toml pins); with any other version svcgen
lints with plain cfn-lint, correct and slower, and a test fails until this module is
reviewed against the new version.
"""

from __future__ import annotations

import dataclasses
import types
from importlib.metadata import version
from typing import Any

# Imported only by lint.py's Linter, which has imported cfn-lint already: no start-up cost here.
from cfnlint.jsonschema._utils import Unset

CFN_LINT_VERSION = "1.58.0"

_installed = False


def install(rules: Any) -> bool:
    """Apply every speed-up (once per process); `rules`: the loaded rule collection, whose
    E1101 class is patched on the instance's own class (cfn-lint loads rule files by path, so
    that class is not the one importable as cfnlint.rules.jsonschema.CfnLint). False when the
    installed cfn-lint is not the version these were checked against."""
    global _installed
    if version("cfn-lint") != CFN_LINT_VERSION:
        return False
    if not _installed:
        _memoize_validator_classes()
        _fast_context_evolve()
        _shared_module_names()
        _fast_enum()
        _shared_getatts()
        _indexed_key_search()
        _shared_schema_lookups()
        _installed = True
    if "E1101" in rules:
        type(rules["E1101"]).cfnLint = _cfn_lint_by_keyword
    return True


def _identity(value: Any) -> tuple[int, int]:
    """A bound method is made afresh on each attribute access, so compare what it binds."""
    return id(getattr(value, "__self__", None)), id(getattr(value, "__func__", value))


def _memoize_validator_classes() -> None:
    """`validators.create` makes a new dataclass per call, and `extend` calls it per rule and
    resource. Two calls with the same keyword functions, an equal function filter and the same
    resolvers make classes that behave identically, so the first is reused. The cached entry
    keeps the arguments alive, so the ids in its key cannot be reused by other objects."""
    from cfnlint.jsonschema import validators as validators_module

    make = validators_module.create
    classes: dict = {}

    def create(validators=None, function_filter=None, fn_resolvers=None):
        key = (tuple((k, _identity(v)) for k, v in (validators or {}).items()),
               _filter_key(function_filter),
               tuple((k, _identity(v)) for k, v in (fn_resolvers or {}).items()))
        hit = classes.get(key)
        if hit is None:
            cls = make(validators, function_filter, fn_resolvers)
            cls.evolve = _copy_with(cls)
            cls.is_type = _is_type
            hit = classes[key] = (cls, validators, function_filter, fn_resolvers)
        return hit[0]

    validators_module.create = create
    _extend_without_throwaway_instance()


def _is_type(self, instance: Any, type: str) -> bool:  # noqa: A002  (cfn-lint's signature)
    """Validator.is_type without the call through TypeChecker.is_type (a million calls on a
    large template): the same checker function, or cfn-lint's own path for an unknown type."""
    checker = self._type_checker
    check = checker.type_checkers.get(type)
    if check is None:
        return _plain_is_type(self, instance, type)  # raises UnknownType, as cfn-lint does
    return check(checker, instance)


def _plain_is_type(validator: Any, instance: Any, type: str) -> bool:  # noqa: A002
    from cfnlint.jsonschema.exceptions import UndefinedTypeCheck, UnknownType

    try:
        return validator._type_checker.is_type(instance, type)
    except UndefinedTypeCheck:
        raise UnknownType(type, instance, validator.schema)  # noqa: B904  (chained as cfn-lint does)


def _filter_key(function_filter: Any) -> tuple | None:
    """A FunctionFilter is a plain value (its fields are all it is); lists made hashable."""
    if function_filter is None:
        return None
    values = (getattr(function_filter, f.name) for f in dataclasses.fields(function_filter))
    return (type(function_filter), *(tuple(v) if isinstance(v, list) else v for v in values))


def _extend_without_throwaway_instance() -> None:
    """BaseJsonSchema.extend_validator made an instance with defaults (an empty Template, its
    context, a resolver) only to `evolve` it at once with the real cfn, context and resolver.
    Passing those to the constructor gives the same instance: its __post_init__ fills in only
    what is None, and the function filter is the class default either way."""
    from cfnlint.rules.jsonschema.Base import BaseJsonSchema
    from cfnlint.schema.resolver import RefResolver

    def extend_validator(self, validator, schema, context, validators=None):
        all_validators = self._get_validators()
        if validators:
            all_validators.update(validators)
        cls = validator.extend(validators=all_validators)
        return cls(schema=schema, cfn=validator.cfn, context=context, resolver=RefResolver.from_schema(schema))

    BaseJsonSchema.extend_validator = extend_validator


def _fast_context_evolve() -> None:
    """Context, Path and FunctionFilter are copied tens of thousands of times per template.
    Their `evolve`/`descend` looped over `dataclasses.fields` and went through the generated
    `__init__` (one `object.__setattr__` per field for the frozen ones). The copies below set
    the same fields to the same values directly; an unknown keyword still raises TypeError
    through the original constructor."""
    from cfnlint.context.context import FUNCTIONS, Context, Path
    from cfnlint.jsonschema._filter import FunctionFilter

    Context.evolve = _copy_with(Context, merge_ref_values=True)
    Path.evolve = _copy_with(Path)
    FunctionFilter.evolve = _copy_with(FunctionFilter)
    path_fields = tuple(f.name for f in dataclasses.fields(Path))
    assert path_fields == ("path", "value_path", "cfn_path"), path_fields
    known = frozenset(path_fields)
    original_descend = Path.descend

    def descend(self, **kwargs):
        cfn_path = kwargs.get("cfn_path")
        if cfn_path in FUNCTIONS or isinstance(cfn_path, int) or not kwargs.keys() <= known:
            return original_descend(self, **kwargs)  # raises as cfn-lint does
        new = object.__new__(Path)
        values = new.__dict__
        for name in path_fields:
            old, step = self.__dict__[name], kwargs.get(name)
            if step is None:
                values[name] = old  # shared, as cfn-lint shares it
            else:
                grown = old.copy()  # `old + deque([step])`: a new deque, same maxlen
                grown.append(step)
                values[name] = grown
        return new

    Path.descend = descend


def _copy_with(cls: type, merge_ref_values: bool = False):
    """`evolve` as cfn-lint writes it for its dataclasses (every init field not given is copied
    from self, init=False fields come from their default factories, then `__post_init__` if
    the class has one), without `dataclasses.fields` and the generated `__init__` per call.
    `merge_ref_values`: Context's evolve merges `ref_values` into its own rather than
    replacing them."""
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields if f.init)
    factories = tuple((f.name, f.default_factory) for f in fields if not f.init)
    assert all(factory is not dataclasses.MISSING for _, factory in factories), cls
    # A factory that returns the same object each time (the validators' `lambda:
    # validators_arg` and the like) is called once here; one that makes a new object each
    # time (FunctionFilter's list) is called per copy, as __init__ calls it.
    constants = {name: factory() for name, factory in factories if factory() is factory()}
    fresh = tuple((name, factory) for name, factory in factories if name not in constants)
    post_init = getattr(cls, "__post_init__", None)
    known, size = frozenset(names), len(fields)
    original = cls.evolve

    def evolve(self, **kwargs):
        if not kwargs.keys() <= known or type(self) is not cls:
            return original(self, **kwargs)  # raises, or builds a subclass, as cfn-lint does
        if merge_ref_values and "ref_values" in kwargs:
            ref_values = self.ref_values.copy()
            ref_values.update(kwargs["ref_values"])
            kwargs["ref_values"] = ref_values
        new = object.__new__(cls)
        values, old = new.__dict__, self.__dict__
        if len(old) == size:  # the fields and nothing else (no cached_property): C-speed copy
            values.update(old)
        else:
            for name in names:
                values[name] = old[name]
        values.update(kwargs)
        values.update(constants)
        for name, factory in fresh:
            values[name] = factory()
        if post_init is not None:
            post_init(new)
        return new

    return evolve


def _shared_module_names() -> None:
    """Context.module_names depends only on its `resources`, a mapping every evolved copy
    shares: computed once per mapping rather than once per copy."""
    from cfnlint.context.context import Context

    compute = Context.__dict__["module_names"].func
    memo: dict[int, tuple] = {}

    def module_names(self):
        resources = self.resources
        hit = memo.get(id(resources))
        if hit is None or hit[0] is not resources or hit[1] != len(resources):
            if len(memo) > 16:  # one entry per template linted; keep a few, not all
                memo.clear()
            hit = memo[id(resources)] = (resources, len(resources), compute(self))
        return hit[2]

    Context.module_names = property(module_names)


def _fast_enum() -> None:
    """`enum` fails only if no entry is `equal` to the value. A string that is one of the
    entries (`in`, C-speed) is `equal` to it whatever the entry is (cfn-lint's `equal`
    compares two equal strings as equal, "true"/"false" included), so it cannot fail; every
    other value takes cfn-lint's own path, which also writes the message.

    The function is referenced from many places (validator classes' keyword tables made at
    import, rule modules that imported it by name), so its code is replaced in place rather
    than the name rebound; the original code lives on as `_svcgen_slow_enum` in its module."""
    from cfnlint.jsonschema import _keywords

    original = _keywords.enum
    if "_svcgen_slow_enum" in vars(_keywords):  # swapped already: a second swap would make the slow path the fast one
        return
    _keywords._svcgen_slow_enum = types.FunctionType(original.__code__, original.__globals__, original.__name__,
                                                     original.__defaults__, original.__closure__)

    def enum(validator, enums, instance, schema):
        if isinstance(instance, str) and isinstance(enums, list) and instance in enums:
            return
        # runs with _keywords' globals once it is the code of _keywords.enum (where `type` is
        # the JSON-schema keyword, not the builtin: use none that _keywords defines)
        yield from _svcgen_slow_enum(validator, enums, instance, schema)  # noqa: F821

    original.__code__ = enum.__code__


def _shared_getatts() -> None:
    """Template.get_valid_getatts is a function of the template's resources and regions, and
    its callers only read it (`match`): built once per template instead of once per GetAtt."""
    from cfnlint.template.template import Template

    build = Template.get_valid_getatts

    def get_valid_getatts(self):
        key = (id(self.context.resources), len(self.context.resources), tuple(self.regions))
        hit = self.__dict__.get("_svcgen_getatts")
        if hit is None or hit[0] != key or hit[1] is not self.context.resources:
            hit = self.__dict__["_svcgen_getatts"] = (key, self.context.resources, build(self))
        return hit[2]

    Template.get_valid_getatts = get_valid_getatts


def _indexed_key_search() -> None:
    """Template.search_deep_keys walks the whole template once per call, and rules call it
    once per key they look for (W2501 once per password property name, ~80 walks per
    template; cfn-lint's per-template lru_cache only helps a key asked for twice). One walk
    now records, for every key, the paths it would return, in the same (depth-first) order;
    a search for a string key reads them, a pattern search takes cfn-lint's own way. The
    index is dropped with cfn-lint's cache (`_cache_clear`, after a transform) and rebuilt for
    a replaced template."""
    from cfnlint.template.template import Template

    search = Template.search_deep_keys
    clear = Template._cache_clear

    def cache_clear(self):
        self.__dict__.pop("_svcgen_key_index", None)
        clear(self)

    def search_deep_keys(self, searchText, includeGlobals=True):
        if not isinstance(searchText, str):
            return search(self, searchText, includeGlobals)
        globals_ = self.transform_pre.get("Globals")
        hit = self.__dict__.get("_svcgen_key_index")
        if hit is None or hit[0] is not self.template or hit[1] is not globals_:
            index: dict = {}
            _index_keys(self.template, [], index)
            in_globals: dict = {}
            _index_keys(globals_, ["Globals"], in_globals)
            hit = self.__dict__["_svcgen_key_index"] = (self.template, globals_, index, in_globals)
        found = [path[:] for path in hit[2].get(searchText, ())]
        if includeGlobals:
            found.extend(path[:] for path in hit[3].get(searchText, ()))
        return found

    Template.search_deep_keys = search_deep_keys
    Template._cache_clear = cache_clear


def _index_keys(node: Any, path: list, index: dict) -> None:
    """cfn-lint's `_search_deep_keys` for every key at once: a match is the key's path plus
    its value, and the walk goes on into the value, in the same order."""
    if isinstance(node, dict):
        for key in node:
            here = [*path, key]
            value = node[key]
            if isinstance(key, str):
                index.setdefault(key, []).append([*here, value])
            if isinstance(value, dict):
                _index_keys(value, here, index)
            elif isinstance(value, list):
                for position, item in enumerate(value):
                    _index_keys(item, [*here, position], index)
    elif isinstance(node, list):
        for position, item in enumerate(node):
            _index_keys(item, [*path, position], index)


def _shared_schema_lookups() -> None:
    """A RefResolver is made per rule and resource, so its own caches start empty each time,
    and resolving a `$ref` fragment searches the whole schema breadth-first for an `id`.
    Both results are functions of the schema document (loaded once, never changed), so they
    are kept per document; each entry keeps its document alive, so its id is not reused."""
    from cfnlint.schema.resolver._resolver import RefResolver

    resolve_fragment = RefResolver.resolve_fragment
    subschemas = RefResolver._get_subschemas_cache
    fragments: dict = {}
    by_referrer: dict = {}

    def shared_resolve_fragment(self, document, fragment):
        key = (id(document), fragment)
        hit = fragments.get(key)
        if hit is None or hit[0] is not document:
            hit = fragments[key] = (document, resolve_fragment(self, document, fragment))
        return hit[1]

    def shared_subschemas(self):
        if self._subschemas_cache is None:
            hit = by_referrer.get(id(self.referrer))
            if hit is None or hit[0] is not self.referrer:
                hit = by_referrer[id(self.referrer)] = (self.referrer, subschemas(self))
            self._subschemas_cache = hit[1]
        return self._subschemas_cache

    RefResolver.resolve_fragment = shared_resolve_fragment
    RefResolver._get_subschemas_cache = shared_subschemas


def _cfn_lint_by_keyword(self, validator, keywords, instance, schema):
    """E1101: for each keyword, the child rules that handle it, in the same order as cfn-lint's
    nested loop (rules in child_rules order, once per matching entry of rule.keywords)."""
    validator = validator.evolve(function_filter=validator.function_filter.evolve(add_cfn_lint_keyword=False))
    table = self.__dict__.get("_svcgen_rules_by_keyword")
    # cfn-lint links child rules at the start of each template's run, never during it: one
    # table per template (the entry holds the template, so its identity is not reused).
    if table is None or table[0] is not validator.cfn:
        by_keyword: dict[str, list] = {}
        for rule in self.child_rules.values():
            if rule is None or not rule.id:
                continue
            for rule_keyword in rule.keywords:
                by_keyword.setdefault(rule_keyword, []).append(rule)
        table = self.__dict__["_svcgen_rules_by_keyword"] = (validator.cfn, by_keyword)
    for keyword in keywords:
        for rule in table[1].get(keyword, ()):
            for err in rule.validate(validator, keyword, instance, schema):
                if err.rule is None and isinstance(err.validator, Unset):
                    err.rule = rule
                yield err
