"""Parse throughput over the Dockerfile corpus, pyenvc against its peers, in one run.

    python bench/parse_throughput.py [--rounds 10]

Peers: dockerfile-parse (the Python library people use today; a lossy, line-level
structure) and `dockerfile` (BuildKit's own Go parser behind a Python binding). Each parser
reads every corpus file BuildKit accepts (pyenvc twice: the lossless tree alone, and\nDocker's full view of every instruction, `to_buildkit(parse(text))`, against the Go parser); the peers take turns in each round, and the best
of N rounds is reported in MB/s and as a ratio against dockerfile-parse. Also: whole-process time of `pyenvc` compiling a 50-line
Dockerfile against `python -c pass`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PYENVC_CORPUS", PROJECT.parent / "shared" / "corpus"))


def corpus_texts() -> list[str]:
    texts = []
    for answer in sorted(CORPUS.glob("*/*.buildkit.json")):
        if "error" in json.loads(answer.read_text("utf-8")):
            continue
        path = answer.with_name(answer.name[: -len(".buildkit.json")])
        texts.append(path.read_bytes().decode("utf-8", "replace"))
    return texts


def best_seconds(peers: dict, texts: list[str], rounds: int) -> dict:
    """The best time of each peer over `rounds` rounds. The peers take turns within each
    round, so a slow spell of the machine falls on all of them, not on one."""
    best = dict.fromkeys(peers, float("inf"))
    for _ in range(rounds):
        for name, function in peers.items():
            start = time.perf_counter()
            for text in texts:
                function(text)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def pyenvc_parse(text: str) -> None:
    import pyenvc

    pyenvc.parse(text)


def pyenvc_full_view(text: str) -> None:
    """Docker's view of every instruction: what BuildKit's parser reads, from the typed tree."""
    import pyenvc

    pyenvc.to_buildkit(pyenvc.parse(text))


def dockerfile_parse_structure(text: str) -> None:
    from dockerfile_parse import DockerfileParser

    # it decodes strictly: give it the replaced text, as it could read it
    DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8", "replace"))).structure


def buildkit_go(text: str) -> None:
    import dockerfile

    dockerfile.parse_string(text)


def process_seconds(argv: list[str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


FIFTY_LINES = "FROM quay.io/astronomer/astro-runtime:12.1.0\n" + "".join(
    f"# step {i}\nRUN echo {i} \\\n    && true\n" for i in range(15)
) + "PYENV 3.11 analytics\nENV A=1\nWORKDIR /x\nUSER astro\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    texts = corpus_texts()
    if not texts:
        sys.exit(f"no corpus at {CORPUS}")
    size_mb = sum(len(t.encode("utf-8", "surrogateescape")) for t in texts) / 1e6
    print(f"corpus: {len(texts)} files, {size_mb:.2f} MB; best of {args.rounds} rounds")
    peers = {
        "dockerfile-parse": dockerfile_parse_structure,
        "pyenvc": pyenvc_parse,
        "pyenvc to_buildkit(parse())": pyenvc_full_view,
        "buildkit (Go, PyPI dockerfile)": buildkit_go,
    }
    for function in peers.values():
        function(texts[0])  # warm imports and caches
    results = {name: size_mb / seconds for name, seconds in best_seconds(peers, texts, args.rounds).items()}
    reference = results["dockerfile-parse"]
    for name, rate in results.items():
        print(f"  {name:32s} {rate:8.2f} MB/s  {rate / reference:6.2f}x dockerfile-parse")
    go = results["buildkit (Go, PyPI dockerfile)"]
    print(f"  Docker's full view: pyenvc {results['pyenvc to_buildkit(parse())'] / go:.2f}x BuildKit's Go parser")

    with tempfile.TemporaryDirectory() as tmp:
        dockerfile = Path(tmp, "Dockerfile")
        dockerfile.write_text(FIFTY_LINES)
        for name in ("requirements.txt", "packages.txt"):  # what an Astro project has
            Path(tmp, name).write_text("")
        assert FIFTY_LINES.count("\n") == 50
        bare = process_seconds([sys.executable, "-c", "pass"], args.rounds * 4)
        compile_time = process_seconds([sys.executable, "-m", "pyenvc", str(dockerfile)], args.rounds * 4)
    print(f"whole process, 50-line Dockerfile: pyenvc {compile_time * 1000:.0f} ms, "
          f"python -c pass {bare * 1000:.0f} ms ({compile_time / bare:.1f}x)")


if __name__ == "__main__":
    main()
