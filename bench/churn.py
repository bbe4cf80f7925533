#!/usr/bin/env python3
"""The watcher under churn (run-bench section 7).

Starts and removes containers on a real dockerd, PARALLEL at a time, for
SECONDS; meanwhile a poller resolves every name that may exist through
getaddrinfo, so through the hosts: line of the mount namespace this runs
in.  Docker's own event stream gives each container's start and death (its
timeNano, the clock StartedAt is read from).  Prints one line of key=value
figures:

  started, died      containers Docker started and saw die
  appear_p50_ms, appear_p99_ms, appear_max_ms
                     from a container's start to the poller's first answer
  never_seen         started containers the poller never resolved
  vanish_p99_ms, vanish_max_ms, late_after_death
                     from a container's death to the poller's last answer
                     after it (0 when none came after), and how many
                     answered more than 50 ms after their death
  passes_per_s       how often the poller went over every name
  watcher_cpu_ms     the watcher's CPU time (user + system) meanwhile
  events             start and die events; cpu_per_event_ms their quotient

Usage: churn.py --docker 'docker -H unix://SOCK' --image IMAGE
                --watcher PID [--seconds 30] [--parallel 20]
                [--lifetime 1.0] [--suffix docker]
"""
import argparse
import json
import os
import shlex
import socket
import subprocess
import threading
import time


def cpu_ms(pid):
    """utime + stime of a process, in ms."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


def resolves(name):
    try:
        socket.getaddrinfo(name, None, socket.AF_UNSPEC, socket.SOCK_STREAM)
        return True
    except socket.gaierror:
        return False


class Events(threading.Thread):
    """Docker's start and die events, by container name."""

    def __init__(self, docker):
        super().__init__(daemon=True)
        self.start_ns, self.die_ns = {}, {}
        self.process = subprocess.Popen(
            docker + ["events", "--filter", "type=container", "--filter", "event=start",
                      "--filter", "event=die", "--format", "{{json .}}"],
            stdout=subprocess.PIPE, text=True)

    def run(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
                name = event["Actor"]["Attributes"]["name"]
                when = int(event["timeNano"])
            except (ValueError, KeyError, TypeError):
                continue
            target = self.start_ns if event.get("Action") == "start" else self.die_ns
            target.setdefault(name, when)

    def stop(self):
        self.process.terminate()
        self.process.wait()


class Poller(threading.Thread):
    """Resolves, for every worker, its current name and the next; moves on
    from a name once it has answered and stopped answering, or once the
    next one answers (its removal came before the next start)."""

    def __init__(self, workers, suffix):
        super().__init__(daemon=True)
        self.low = [0] * workers
        self.suffix = suffix
        self.first, self.last = {}, {}
        self.passes = 0
        self.running = True

    def look(self, name, now_ns):
        if resolves(f"{name}.{self.suffix}"):
            self.first.setdefault(name, now_ns)
            self.last[name] = now_ns
            return True
        return False

    def run(self):
        while self.running:
            for worker, low in enumerate(self.low):
                for k in range(low, low + 2):
                    name = f"churn-{worker}-{k}"
                    answered = self.look(name, time.time_ns())
                    if k == low and not answered and name in self.first:
                        self.low[worker] = low + 1
                    elif k == low + 1 and answered:
                        self.low[worker] = low + 1
            self.passes += 1
            # A pause between passes: a poller spinning on one of two CPUs
            # would time its own competition with the watcher.
            time.sleep(0.001)


def worker(docker, image, index, deadline, lifetime, failures):
    k = 0
    while time.monotonic() < deadline:
        name = f"churn-{index}-{k}"
        run = subprocess.run(docker + ["run", "-d", "--init", "--stop-timeout", "1", "--name",
                                       name, image, "sleep", "100000"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            failures.append(run.stderr.strip()[:200])
        time.sleep(lifetime)
        subprocess.run(docker + ["rm", "-f", name], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        k += 1


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(events, poller, seconds, cpu, failures):
    appear, vanish, never = [], [], 0
    for name, started in events.start_ns.items():
        if name not in poller.first:
            never += 1
            continue
        appear.append((poller.first[name] - started) / 1e6)
        died = events.die_ns.get(name)
        if died is not None:
            vanish.append(max(0.0, (poller.last[name] - died) / 1e6))
    count = len(events.start_ns) + len(events.die_ns)
    figures = {
        "started": len(events.start_ns), "died": len(events.die_ns),
        "appear_p50_ms": percentile(appear, 0.5), "appear_p99_ms": percentile(appear, 0.99),
        "appear_max_ms": max(appear, default=float("nan")), "never_seen": never,
        "vanish_p99_ms": percentile(vanish, 0.99), "vanish_max_ms": max(vanish, default=float("nan")),
        "late_after_death": sum(1 for v in vanish if v > 50),
        "passes_per_s": poller.passes / seconds, "watcher_cpu_ms": cpu, "events": count,
        "cpu_per_event_ms": cpu / count if count else float("nan"),
        "run_failures": len(failures),
    }
    print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                   for k, v in figures.items()))
    for failure in failures[:3]:
        print(f"# docker run failed: {failure}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docker", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--watcher", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--parallel", type=int, default=20)
    parser.add_argument("--lifetime", type=float, default=1.0)
    parser.add_argument("--suffix", default="docker")
    args = parser.parse_args()
    docker = shlex.split(args.docker)

    events = Events(docker)
    events.start()
    poller = Poller(args.parallel, args.suffix)
    time.sleep(0.5)  # the event stream is subscribed
    cpu_before = cpu_ms(args.watcher)
    poller.start()
    started = time.monotonic()
    deadline = started + args.seconds
    failures = []
    workers = [threading.Thread(target=worker, args=(docker, args.image, i, deadline,
                                                     args.lifetime, failures))
               for i in range(args.parallel)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    time.sleep(0.5)  # the last deaths reach the watcher and the poller
    poller.running = False
    poller.join()
    cpu = cpu_ms(args.watcher) - cpu_before
    events.stop()
    report(events, poller, time.monotonic() - started, cpu, failures)


if __name__ == "__main__":
    main()
