"""Write data/torchvision_models.json from torchvision: for each model built with
NUM_CLASSES classes, its state-dict entries (key, shape, dtype), its repr, and its eval-mode
output on seeded_input with seeded_weights loaded. Run where torchvision (matching the installed
torch) imports: python -m tests.vision.make_torchvision_reference"""
import json

import torch
import torchvision

from ._model_reference import INPUT_SIDE, NUM_CLASSES, REFERENCE, seeded_input, seeded_weights


def describe(name):
    model = torchvision.models.get_model(name, weights=None, num_classes=NUM_CLASSES)
    entries = [(k, list(v.shape), str(v.dtype).replace("torch.", ""))
               for k, v in model.state_dict().items()]
    model.load_state_dict({k: torch.from_numpy(v) for k, v in seeded_weights(entries).items()})
    with torch.no_grad():
        out = model.eval()(torch.from_numpy(seeded_input(name)))
    return {"torchvision": torchvision.__version__, "entries": entries, "repr": repr(model),
            "output": out.tolist()}


def to_json(reference):
    """The JSON text, one state-dict entry or output row a line (diffs stay readable)."""
    models = []
    for name, ref in reference.items():
        fields = [f'"torchvision": {json.dumps(ref["torchvision"])}',
                  '"entries": [\n' + ",\n".join(json.dumps(e) for e in ref["entries"]) + "\n]",
                  f'"repr": {json.dumps(ref["repr"])}',
                  '"output": [\n' + ",\n".join(json.dumps(r) for r in ref["output"]) + "\n]"]
        models.append(f"{json.dumps(name)}: {{\n" + ",\n".join(fields) + "\n}")
    return "{\n" + ",\n".join(models) + "\n}\n"


def main():
    reference = {name: describe(name) for name in INPUT_SIDE}
    with open(REFERENCE, "w") as f:
        f.write(to_json(reference))
    print(f"wrote {REFERENCE}: {', '.join(reference)}")


if __name__ == "__main__":
    main()
