"""What the smart dispatch tests share: a history in the demo's wording, a model trained on it
once per test process, served from a temporary data dir, and the demo's category tree."""

import datetime as dt
import random

import pytest

from guankao.petitions import catalogue, demo, dispatch, phrasing
from guankao.petitions.models import Category
from tests.conftest import make_department

OWNERS = {row[0]: row[3] for row in catalogue.CATEGORIES if row[3]}
NOW = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)


def history(n: int, seed: int = 1999) -> dispatch.Corpus:
    """`n` closed cases in the demo's wording, oldest first, weighted like the demo's line."""
    rng = random.Random(seed)
    codes, weights = list(demo.CATEGORY_WEIGHTS), list(demo.CATEGORY_WEIGHTS.values())
    corpus = dispatch.Corpus()
    for i in range(n):
        code = rng.choices(codes, weights)[0]
        subject, text, _where = phrasing.case_text(code, rng)
        corpus.ids.append(i + 1)
        corpus.texts.append(dispatch.case_words(subject, text))
        corpus.labels.append(code)
        corpus.departments.append(OWNERS[code])
        corpus.confidential.append(False)
    return corpus


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """The model, trained once: its bundle, its note and the directory it serves from."""
    bundle, note, _held = dispatch.build(history(6000), OWNERS, NOW)
    data_dir = tmp_path_factory.mktemp("data")
    note = dispatch.publish(bundle, note, data_dir / "dispatch")
    return {"bundle": bundle, "note": note, "data_dir": data_dir}


@pytest.fixture
def served(trained, settings):
    settings.DATA_DIR = trained["data_dir"]
    dispatch.forget()
    yield trained
    dispatch.forget()


@pytest.fixture
def no_model(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    dispatch.forget()
    yield tmp_path
    dispatch.forget()


@pytest.fixture
def tree(city):
    """The demo catalogue's categories, owned by departments of the same codes."""
    departments = {"PW": city["pw"], "SOC": city["soc"]}
    for code in sorted(set(OWNERS.values()) - set(departments)):
        departments[code] = make_department(code, code, parent=city["pw"].parent)
    out = {}
    for code, name, parent, owner, *_rest, keywords in catalogue.CATEGORIES:
        category = Category.objects.create(
            code=code,
            name=name,
            parent=out.get(parent),
            department=departments.get(owner),
            keywords=keywords,
            public=True,
        )
        category.path = f"{out[parent].path if parent else '/'}{category.pk}/"
        category.save(update_fields=["path"])
        out[code] = category
    return out
