"""The hook reference: every hook documented with its exact signature, and tested."""

from __future__ import annotations

import datetime as dt
import inspect
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from fuaalborg.criteria import (
    ApplicantField,
    ByColour,
    Criterion,
    HookSpecs,
    LettingAgreement,
    hookimpl,
)
from fuaalborg.criteria.testing import load_plugin

DOCS = Path(__file__).resolve().parents[1] / "docs" / "hooks.md"
ON = dt.date(2024, 5, 1)


def hook_names() -> list[str]:
    return sorted(n for n in vars(HookSpecs) if n.startswith("register_"))


def signature(name: str) -> str:
    func = getattr(HookSpecs, name)
    sig = inspect.signature(func)
    params = [p for p in sig.parameters.values() if p.name != "self"]
    text = str(sig.replace(parameters=params))
    return f"{name}{text}".replace("'", "")


@pytest.mark.parametrize("name", hook_names())
def test_every_hook_is_documented_with_its_exact_signature(name: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert f"## {name}" in text, f"docs/hooks.md has no section for {name}"
    assert signature(name) in text, f"docs/hooks.md lacks the signature {signature(name)}"


@pytest.mark.parametrize("name", hook_names())
def test_every_hook_has_a_test(name: str) -> None:
    module = sys.modules[__name__]
    assert callable(getattr(module, f"test_hook_{name}", None)), f"no test_hook_{name}"


def test_hook_list_is_known() -> None:
    assert hook_names() == [
        "register_applicant_fields",
        "register_criteria",
        "register_letting_agreements",
        "register_parameter_files",
    ]


def _plugin(**hooks: object) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        __name__="hooktest",
        ORGANISATION_CVR="31831814",
        **{k: hookimpl(v) for k, v in hooks.items()},
    )


def _criterion(reads: str = "children") -> Criterion:
    return Criterion(
        id="hooktest.c",
        title="t",
        reads={reads},
        predicate=lambda f: f[reads].fillna(0).astype(float) > 0,
        legal_basis="Almenboligloven § 60, stk. 1",
    )


def test_hook_register_criteria() -> None:
    registry = load_plugin(_plugin(register_criteria=lambda: [_criterion()]))
    assert registry.plugin_of("hooktest.c").name == "hooktest"
    frame = pd.DataFrame({"children": [0, 2]})
    assert registry.evaluate("hooktest.c", frame, ON).tolist() == [False, True]


def test_hook_register_letting_agreements() -> None:
    agreement = LettingAgreement(
        organisation_cvr="31831814",
        departments=ByColour("yellow"),
        groups=("families_with_children",),
        flexible_share=0.25,
        legal_basis="Almenboligloven § 60, stk. 1",
        valid_from=dt.date(2024, 1, 1),
        valid_until=None,
    )
    registry = load_plugin(_plugin(register_letting_agreements=lambda: [agreement]))
    assert registry.agreement_for("d", "31831814", "yellow", ON) == agreement
    info = next(p for p in registry.plugins if p.name == "hooktest")
    assert info.agreements == 1


def test_hook_register_applicant_fields() -> None:
    field = ApplicantField("pet_owner", "bool", "keeps a pet", "holder kæledyr", required=False)
    registry = load_plugin(
        _plugin(
            register_applicant_fields=lambda: [field],
            register_criteria=lambda: [_criterion("pet_owner")],
        )
    )
    assert registry.fields["pet_owner"] == field
    assert registry.evaluate("hooktest.c", pd.DataFrame({"pet_owner": [1, 0]}), ON).tolist() == [
        True,
        False,
    ]


def test_hook_register_parameter_files(tmp_path: Path) -> None:
    path = tmp_path / "hooktest.toml"
    path.write_text(
        '[meta]\ntitle = "t"\nversion = "1"\n[hooktest.n]\ndescription = "n"\nunit = "count"\n'
        '[[hooktest.n.values]]\nfrom = 2024-01-01\nvalue = 3\nreference = "bilag 4"\n',
        encoding="utf-8",
    )
    registry = load_plugin(_plugin(register_parameter_files=lambda: [path]))
    assert registry.parameters.get("hooktest.n", ON) == 3
    info = next(p for p in registry.plugins if p.name == "hooktest")
    assert info.parameter_files == ("hooktest.toml",)
