"""What both directions of the checkpoint format agree on: storage type names, alignment, protocol.

NOTE [ Checkpoint format ]
A checkpoint is an uncompressed zip whose records sit at 64-byte aligned offsets:
`<name>/data.pkl` is a protocol-2 pickle of the object in which each tensor is
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())` and
each storage is a persistent id `('storage', torch.FloatStorage, key, 'cpu', numel)` whose bytes are
the record `<name>/data/<key>`. Tensors that are views of one NumPy buffer share one storage, so
torch.load (and ember.load) gives back tensors that share memory, at the same storage offsets.
`ember.load` parses the same format without torch; its weights-only unpickler resolves only the
globals a checkpoint needs.

The dtypes that torch has no typed storage class for (uint16/32/64) are written as torch writes
them: `torch._utils._rebuild_tensor_v3(storage, offset, size, stride, requires_grad,
OrderedDict(), torch.uint16)` over a `torch.storage.UntypedStorage`, whose numel counts bytes;
the tensor reinterprets those bytes as its dtype (offset, size and stride count its elements).
"""
from .. import _dtype

STORAGE_NAMES = {
    _dtype.float32: "FloatStorage", _dtype.float64: "DoubleStorage", _dtype.float16: "HalfStorage",
    _dtype.int64: "LongStorage", _dtype.int32: "IntStorage", _dtype.int16: "ShortStorage",
    _dtype.int8: "CharStorage", _dtype.uint8: "ByteStorage", _dtype.bool: "BoolStorage",
    _dtype.complex64: "ComplexFloatStorage", _dtype.complex128: "ComplexDoubleStorage"}
UNTYPED_STORAGE = "UntypedStorage"  # in torch.storage; its elements are bytes
STORAGE_DTYPES = {name: d for d, name in STORAGE_NAMES.items()}
STORAGE_DTYPES[UNTYPED_STORAGE] = _dtype.uint8
ALIGN = 64
PROTOCOL = 2
