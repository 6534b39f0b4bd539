#!/usr/bin/python3
"""Executes Jupyter notebooks with nbclient, and fails on the first cell that fails.

The Java kernel (rapaio-jupyter-kernel 3.0.1) sometimes never answers after it starts: seen here,
one start in five to ten on a busy machine, either its shell socket receives nothing at all, or a
request that arrives before it has set up its message handlers kills its shell thread. So the
runner waits a moment after starting the kernel before the first request (longer at each attempt),
gives start-up (first replies and one warm-up statement) a short time limit, and retries start-up
with a new kernel. A notebook's cells are never retried: a failing or hanging cell fails the run.

  execute-notebooks.py [--output-dir DIR | --in-place] [--kernel NAME] NOTEBOOK...

Needs Debian's python3-nbclient (run it with /usr/bin/python3); the kernel is found through
JUPYTER_PATH, as notebooks/run sets it. Each kernel's own output goes to
notebooks/target/kernel-logs/NOTEBOOK.log; the terminal gets one line per notebook.
"""
import argparse
import asyncio
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


async def start_kernel(client, attempts, startup_timeout, settle, kernel_log):
    """Starts the client's kernel and waits for it to answer, retrying with a new kernel.

    The kernel's own output (its start-up log, which names its connection file and key) goes to
    kernel_log, not to the terminal."""
    for attempt in range(1, attempts + 1):
        client.km = client.create_kernel_manager()
        try:
            await client.async_start_new_kernel(stdout=kernel_log, stderr=kernel_log)
            await asyncio.sleep(settle * attempt)
            await client.async_start_new_kernel_client()
            warm_up = client.kc.execute("System.out.flush();", silent=True, store_history=False)
            await asyncio.wait_for(reply_to(client.kc, warm_up), startup_timeout)
            return
        except Exception as error:  # a kernel that does not answer in time, whatever the form
            print(f"execute-notebooks: kernel start-up attempt {attempt} of {attempts} failed: "
                  f"{type(error).__name__}: {error}", file=sys.stderr)
            if client.km is not None:
                await client._async_cleanup_kernel()
    raise RuntimeError(f"the kernel did not start in {attempts} attempts")


async def reply_to(kc, msg_id):
    while True:
        reply = await kc.get_shell_msg()
        if reply["parent_header"].get("msg_id") == msg_id:
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"warm-up failed: {reply['content']}")
            return


def coalesce_streams(nb):
    """Joins each cell's consecutive outputs to the same stream, as a notebook front end shows them."""
    for cell in nb.cells:
        outputs = []
        for output in cell.get("outputs", []):
            previous = outputs[-1] if outputs else None
            if (output.output_type == "stream" and previous is not None
                    and previous.output_type == "stream" and previous.name == output.name):
                previous.text += output.text
            else:
                outputs.append(output)
        if "outputs" in cell:
            cell.outputs = outputs


async def execute(path, out, kernel, attempts, startup_timeout, settle, cell_timeout):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=cell_timeout,
        startup_timeout=startup_timeout,
        record_timing=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    started = time.monotonic()
    logs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "target", "kernel-logs")
    os.makedirs(logs, exist_ok=True)
    log_path = os.path.join(logs, os.path.splitext(os.path.basename(path))[0] + ".log")
    kernel_log = open(log_path, "w")
    try:
        await start_kernel(client, attempts, startup_timeout, settle, kernel_log)
        await run_cells(client, nb, out)
    finally:
        kernel_log.close()
    print(f"execute-notebooks: {path}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells in "
          f"{time.monotonic() - started:.1f} s -> {out} (kernel log: {log_path})", file=sys.stderr)


async def run_cells(client, nb, out):
    """Runs every cell in order; writes the notebook whatever happens."""
    try:
        for index, cell in enumerate(nb.cells):
            await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
    finally:
        coalesce_streams(nb)
        nbformat.write(nb, out)
        await client._async_cleanup_kernel()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--output-dir", help="write the executed notebooks here")
    where.add_argument("--in-place", action="store_true", help="write them over the inputs")
    parser.add_argument("--kernel", default="softmetrics-java")
    parser.add_argument("--startup-attempts", type=int, default=6)
    parser.add_argument("--startup-timeout", type=int, default=15, help="seconds per attempt")
    parser.add_argument("--settle", type=float, default=2,
                        help="seconds to wait before the first request, times the attempt number")
    parser.add_argument("--cell-timeout", type=int, default=300, help="seconds per cell")
    parser.add_argument("notebooks", nargs="+")
    args = parser.parse_args()
    if args.output_dir:
        os.makedirs(args.output_dir, exist_ok=True)
    for path in args.notebooks:
        out = path if args.in_place else os.path.join(args.output_dir, os.path.basename(path))
        try:
            asyncio.run(execute(path, out, args.kernel, args.startup_attempts,
                                args.startup_timeout, args.settle, args.cell_timeout))
        except CellExecutionError as error:
            print(f"execute-notebooks: error: a cell of {path} failed (executed notebook: {out}):\n"
                  f"{error}", file=sys.stderr)
            return 1
        except Exception as error:
            print(f"execute-notebooks: error: cannot execute {path}: {type(error).__name__}: {error}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
