# The start-up lines of a typical training script: pick a device, set the backend switches, look
# at the numeric limits of the dtypes.
import math

import torch
import torch.backends.cudnn as cudnn

torch.backends.cudnn.benchmark = True
cudnn.deterministic = True
torch.backends.cuda.matmul.allow_tf32 = True
torch.backends.cudnn.allow_tf32 = True
print("cudnn flags", torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
      cudnn.enabled, torch.backends.cuda.matmul.allow_tf32)
print("mps", torch.backends.mps.is_available())

if torch.cuda.is_available():
    device = "cuda"
elif torch.backends.mps.is_available():
    device = "mps"
else:
    device = "cpu"
print("device", device, torch.accelerator.is_available(), torch.accelerator.device_count(),
      torch.accelerator.current_accelerator())
torch.set_default_device(device)
print("default device", torch.get_default_device())

for dt in (torch.float16, torch.float32, torch.float64):
    fi = torch.finfo(dt)
    print(fi.dtype, fi.bits, fi.eps, fi.max, fi.min, fi.tiny, fi.smallest_normal, fi.resolution)
for dt in (torch.uint8, torch.int8, torch.int32, torch.int64):
    ii = torch.iinfo(dt)
    print(ii.dtype, ii.bits, ii.min, ii.max)
print("constants", torch.pi, torch.e, torch.inf, torch.nan, math.isnan(torch.nan))

x = torch.linspace(0, 1, 5)
print("device flags", x.is_cpu, x.is_cuda, x.is_xpu, x.is_mps, x.is_meta)
ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
print("dtype table", ptdtype["float32"], ptdtype["float16"])
big = torch.full((3,), torch.finfo(torch.float32).min)
print("masked fill", big.masked_fill(torch.tensor([True, False, True]), 0.0).tolist())
