"""RapidOCR's recogniser cut down to the characters of Latin-script receipts.

The bundled PP-OCR recogniser scores 18,710 classes per time step (the CTC blank, 18,708
dictionary characters, the space), 15,908 of them CJK ideographs plus kana and full-width forms.
The service reads French and English documents (``server.ocr.services.LANGUAGES``), so the
recogniser used for them keeps the dictionary's characters below U+2E80 (the first CJK radical):
Latin with its accents, Greek, Cyrillic, digits, punctuation, currency signs (``€``, ``£``) and
symbols, 1,748 characters. Only the last layer changes: its weight and bias columns of the
dropped classes are removed, and the dictionary stored in the model's metadata with them. The
network is untouched: a step reads the same character unless its best class was a dropped one,
and confidences are a little higher (the softmax spreads over fewer classes).

Measured on SROIE 60 (``bench.receipts --folds 5``, one onnxruntime thread, load 4-7 on the
shared 2 cores), against the whole model with the same extraction code in the same hour: OCR CPU
seconds per receipt median 1.02-1.03 -> 0.88-0.96, p90 1.50-1.89 -> 1.40-1.49 (recognition alone
~10% less: the last layer and its softmax were ~15% of it); field accuracy unchanged (all four
75.0 both on one extraction commit, 71.7 both on the next); bench.ocr CER 3.3 -> 3.2% (no more
ideographs or full-width punctuation such as ``，`` read into Latin lines). French 16: CPU
median 0.41 -> 0.36, all four 100% both. Text in Chinese or Japanese is then not read: callers
asking for those languages get the whole model (see ``server.ocr.rapid``).

The cut is made in memory when the engine is built (``onnx`` edits the graph, onnxruntime loads
the bytes): nothing is written to disk or downloaded. When it cannot be made (``onnx`` missing, a
model of another shape: :func:`latin_cut_errors`), the engine logs a warning once and loads the
whole recogniser instead (``server.ocr.rapid``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

# Dictionary characters at or above this code point are dropped (CJK radicals, kana,
# ideographs, Hangul, full-width and half-width forms).
LATIN_LIMIT = 0x2E80


def kept_classes(characters: list[str], limit: int = LATIN_LIMIT) -> list[int]:
    """The CTC classes kept, in order: 0 (blank), the kept characters (dictionary index + 1),
    and the space RapidOCR appends after the dictionary."""
    kept = [i + 1 for i, char in enumerate(characters) if char and ord(char[0]) < limit]
    return [0, *kept, len(characters) + 1]


def latin_cut_errors() -> tuple[type[Exception], ...]:
    """What a failed cut raises: ``onnx`` missing (ImportError), the model file unreadable
    (OSError) or not shaped as :func:`latin_model` expects (ValueError), its bytes not parsed by
    protobuf, or the cut model refused by onnxruntime. The classes of packages that are not
    installed are left out."""
    errors: list[type[Exception]] = [ImportError, OSError, ValueError]
    try:
        from google.protobuf.message import Error as ProtobufError

        errors.append(ProtobufError)
    except ImportError:
        pass
    try:
        from onnx.checker import ValidationError

        errors.append(ValidationError)
    except ImportError:
        pass
    try:  # compiled module: no stubs for the type checker
        ort = importlib.import_module("onnxruntime.capi.onnxruntime_pybind11_state")
        names = ("Fail", "InvalidArgument", "InvalidGraph", "InvalidProtobuf", "NoSuchFile")
        errors += [getattr(ort, name) for name in (*names, "RuntimeException")]
    except ImportError:
        pass
    return tuple(errors)


def _producer(graph: Any, name: str) -> Any:
    return next((node for node in graph.node if name in node.output), None)


def _last_layer(graph: Any) -> tuple[Any, Any]:
    """The weight and bias initializers of the linear layer that feeds the output softmax."""
    initializers = {init.name: init for init in graph.initializer}
    node = _producer(graph, graph.output[0].name)
    while node is not None and node.op_type in ("Softmax", "Identity"):
        node = _producer(graph, node.input[0])
    if node is None or node.op_type != "Add":
        raise ValueError("the recogniser does not end with a linear layer and a softmax")
    bias_name = next((name for name in node.input if name in initializers), None)
    matmul = next(
        (
            _producer(graph, name)
            for name in node.input
            if name not in initializers and _producer(graph, name) is not None
        ),
        None,
    )
    if bias_name is None or matmul is None or matmul.op_type != "MatMul":
        raise ValueError("the recogniser's last layer is not MatMul + Add")
    weight_name = next((name for name in matmul.input if name in initializers), None)
    if weight_name is None:
        raise ValueError("the recogniser's last MatMul has no weight initializer")
    return initializers[weight_name], initializers[bias_name]


def latin_model(path: Path | str, limit: int = LATIN_LIMIT) -> bytes:
    """The recogniser at ``path`` with only the classes of ``kept_classes``, serialised.

    Raises ValueError when the model is not shaped as expected (no ``character`` metadata, or
    a last layer whose width is not the dictionary's plus two).
    """
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    metadata = {prop.key: prop for prop in model.metadata_props}
    if "character" not in metadata:
        raise ValueError("the recogniser carries no character dictionary")
    characters = metadata["character"].value.splitlines()
    classes = kept_classes(characters, limit)
    weight, bias = _last_layer(model.graph)
    weights, biases = numpy_helper.to_array(weight), numpy_helper.to_array(bias)
    if weights.shape[-1] != len(characters) + 2 or biases.shape != (len(characters) + 2,):
        raise ValueError(
            f"last layer {weights.shape} does not match {len(characters)} dictionary characters"
        )
    weight.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(weights[:, classes]), weight.name))
    bias.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(biases[classes]), bias.name))
    metadata["character"].value = "\n".join(characters[i - 1] for i in classes[1:-1])
    # Shapes recorded for the layer's outputs (and the model's) end with the old class count.
    for info in (*model.graph.value_info, *model.graph.output):
        dims = info.type.tensor_type.shape.dim
        if dims and dims[-1].dim_value == len(characters) + 2:
            dims[-1].dim_value = len(classes)
    return model.SerializeToString()
