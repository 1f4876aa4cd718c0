"""Campaign results as files, for batch systems: ``explore --shard i/N`` writes one, ``merge``
puts them back together into exactly the report the whole campaign would have given.

The file is data (JSON with a format and emulator version), never code; a corrupt, foreign or
mismatched file is one ``BadInput`` line.  It holds the plan, the seed range, which shard, and
every run's outcome (with the raw tape and trace hash of failing runs, which is all ``merge``
needs to replay, shrink and report them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cattrs

from stack import __version__
from stack.errors import BadInput
from stack.scenario import Failure

from ._campaign import CampaignResult, Plan, RunOutcome, Shard

FORMAT = "ndisemu-campaign"
VERSION = 1

_converter = cattrs.Converter()
# Bytes travel as latin-1 text: JSON has no bytes, and this keeps every byte value.
_converter.register_unstructure_hook(bytes, lambda b: b.decode("latin-1"))
_converter.register_structure_hook(bytes, lambda s, _: s.encode("latin-1"))


def shard_file(out: Path, scenario: str, shard: Shard) -> Path:
    return out / f"{scenario}.campaign-{shard.index}-of-{shard.count}.json"


def save_campaign(
    path: Path, campaign: CampaignResult, *, base: int, runs: int, shard: Shard
) -> None:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "emulator": __version__,
        "plan": _converter.unstructure(campaign.plan),
        "base_seed": base,
        "runs": runs,
        "shard": [shard.index, shard.count],
        "outcomes": [_converter.unstructure(o) for o in campaign.outcomes],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, sort_keys=True), encoding="utf-8")
    temporary.replace(path)


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"cannot read campaign file {str(path)!r}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadInput(f"{path}: not a JSON campaign file") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadInput(f"{path}: not an ndisemu campaign file")
    if document.get("version") != VERSION or document.get("emulator") != __version__:
        raise BadInput(
            f"{path}: written by ndisemu {document.get('emulator')} (format "
            f"{document.get('version')}); this is ndisemu {__version__} (format {VERSION})"
        )
    return document


def merge_campaigns(paths: Sequence[Path]) -> tuple[CampaignResult, int, int]:
    """The shards at ``paths`` as one campaign, with its base seed and run count."""
    if not paths:
        raise BadInput("merge needs at least one campaign file")
    documents = [(path, _load(path)) for path in paths]
    first_path, first = documents[0]
    count = int(first["shard"][1])
    seen: dict[int, Path] = {}
    outcomes: list[RunOutcome] = []
    try:
        plan = _converter.structure(first["plan"], Plan)
        for path, document in documents:
            same = (document["base_seed"], document["runs"], document["shard"][1])
            if same != (first["base_seed"], first["runs"], count) or (
                _converter.structure(document["plan"], Plan) != plan
            ):
                raise BadInput(f"{path}: another campaign than {first_path} (plan or seeds differ)")
            index = int(document["shard"][0])
            if index in seen:
                raise BadInput(f"{path}: shard {index}/{count} again (also {seen[index]})")
            seen[index] = path
            outcomes += [_converter.structure(o, RunOutcome) for o in document["outcomes"]]
    except (KeyError, TypeError, ValueError, cattrs.BaseValidationError) as exc:
        if isinstance(exc, BadInput):
            raise
        raise BadInput(f"malformed campaign file: {type(exc).__name__}") from None
    missing = sorted(set(range(count)) - set(seen))
    if missing:
        raise BadInput(f"missing shards: {', '.join(f'{i}/{count}' for i in missing)}")
    base, runs = int(first["base_seed"]), int(first["runs"])
    outcomes.sort(key=lambda o: o.seed)
    seeds = tuple(range(base, base + runs))
    if tuple(o.seed for o in outcomes) != seeds:
        raise BadInput("the shards' runs do not add up to the campaign's seeds")
    return CampaignResult(plan, seeds, tuple(outcomes)), base, runs


# cattrs cannot guess Failure's optional-ness inside RunOutcome on older versions; make it
# explicit so the files read back the same everywhere.
_converter.register_structure_hook(
    Failure | None,
    lambda value, _: None if value is None else _converter.structure(value, Failure),
)
