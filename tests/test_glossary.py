"""The glossary is generated from the code, and the README shows exactly what it generates."""

from pathlib import Path

from click.testing import CliRunner

from stack import _glossary
from stack.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_glossary_is_the_generated_one() -> None:
    shown = README.split("<!-- glossary:start -->\n", 1)[1].split("<!-- glossary:end -->", 1)[0]
    assert shown == _glossary.markdown()


def test_every_entry_names_an_importable_python_object() -> None:
    import importlib

    for entry in _glossary.entries():
        parts = entry.python.split(".")
        # the longest prefix that is a module (stack.cli loads some packages lazily, so a
        # package's attribute is not there until the package itself is imported)
        for cut in range(len(parts), 0, -1):
            try:
                target = importlib.import_module(".".join(parts[:cut]))
                break
            except ModuleNotFoundError:
                continue
        for part in parts[cut:]:
            target = getattr(target, part)
        assert target is not None, entry


def test_the_calls_ndis_drivers_make_are_in_the_glossary() -> None:
    names = {e.c_name for e in _glossary.entries()}
    for c_name in (
        "NdisOidRequest",
        "MiniportOidRequest",
        "NdisMOidRequestComplete",
        "NdisMIndicateStatusEx",
        "ProtocolStatusEx",
        "ProtocolBindAdapterEx",
        "MiniportInitializeEx",
        "NdisCancelOidRequest",
        "NDIS_OFFLOAD_PARAMETERS",
    ):
        assert c_name in names, c_name


def test_names_command_looks_up_one_name_and_refuses_unknown_ones() -> None:
    runner = CliRunner()
    found = runner.invoke(cli, ["names", "NdisMIndicateStatusEx"])
    assert found.exit_code == 0
    assert "stack.runtime.StatusIndication" in found.stdout
    constant = runner.invoke(cli, ["names", "NDIS_STATUS_PENDING", "--json"])
    assert '"stack.ndis.NDIS_STATUS_PENDING"' in constant.stdout
    missing = runner.invoke(cli, ["names", "NdisNoSuchCall"])
    assert missing.exit_code == 2
