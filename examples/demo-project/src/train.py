""" "Train" for a while, printing progress and checkpointing, so there is time to debug."""

import argparse
import csv
import json
import time

from model import centroids, predict


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default="model.json")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds per epoch")
    args = parser.parse_args()
    with open(args.data, newline="") as f:
        rows = [
            (float(r["sepal_length"]), float(r["sepal_width"]), r["species"])
            for r in csv.DictReader(f)
        ]
    model = centroids(rows)
    accuracy = sum(predict(model, x, y) == label for x, y, label in rows) / len(rows)
    for epoch in range(1, args.epochs + 1):
        loss = (1 - accuracy) + 1 / epoch
        print(f"epoch {epoch}/{args.epochs} loss={loss:.4f}", flush=True)
        with open("checkpoint.json", "w") as f:
            json.dump({"epoch": epoch, "loss": loss}, f)
        time.sleep(args.pause)
    with open(args.out, "w") as f:
        json.dump({"centroids": model, "accuracy": round(accuracy, 3)}, f)
    print(f"accuracy {accuracy:.3f}; model written to {args.out}")


if __name__ == "__main__":
    main()
