"""For every model of the zoo, `cnnc summary --json`'s rows add up to its
total parameter count (layer norms and `learned` tensors counted in the
rows that read them). Prints one line per model and a summary.

  summary_rows.py CNNC MODELS_DIR
"""
import glob
import json
import os
import subprocess
import sys


def main():
    cnnc, models = sys.argv[1:3]
    wrong = 0
    paths = sorted(glob.glob(os.path.join(models, "*.cnn")))
    for path in paths:
        summary = json.loads(subprocess.run([cnnc, "summary", "--json", path], check=True,
                                            capture_output=True, text=True).stdout)
        rows = sum(layer.get("weights", 0) + layer.get("biases", 0)
                   for layer in summary["layers"])
        if rows != summary["total_params"]:
            wrong += 1
            print(f"{os.path.basename(path)}: rows add up to {rows}, "
                  f"the total is {summary['total_params']}")
    print(f"summary rows: {len(paths)} models, {wrong} whose rows do not add up")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
