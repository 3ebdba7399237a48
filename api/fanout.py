"""A headcount search's roster solves as tasks: each trial a job of its own (kind `headcount_trial`, a part of the
search's job), run by whichever workers are free, the search going on when they end (see docs/scaling.md).

The search's worker does not sit idle meanwhile: while a part of its own is still queued it claims it and runs it
itself, so a single worker runs every trial in turn and never waits on itself, and with two workers the other
takes the next part from the queue at the same time. A part's message that reaches a worker after the search's
worker claimed it finds the part taken and is dropped (api.jobs: the claim is atomic).
"""
from __future__ import annotations

import math
import time
from dataclasses import fields

from sqlalchemy import update

from api.db import Job, utcnow
from api.jobs import JobRunner, PipelineError, Progress, cancel_asked, spawn
from scheduler.headcount import Trial, Tried, Tryout

KIND = "headcount_trial"
FLOATS = {f.name for f in fields(Trial) if f.type == "float"}
DONE = ("succeeded", "failed", "cancelled")


def trial_of(progress: dict) -> Trial:
    """The trial a part's final progress holds (JSON null back to NaN)."""
    return Trial(**{f.name: math.nan if f.name in FLOATS and progress.get(f.name) is None else progress[f.name]
                    for f in fields(Trial)})


class TaskTrials:
    """scheduler.headcount.RunTrials for a job: spawns one part per headcount, runs its own queued parts while it
    waits, reports how many are done on the search's job, and stops the parts when the search is stopped."""

    def __init__(self, runner: JobRunner, parent: Job, progress: Progress) -> None:
        self.runner = runner
        self.parent = parent
        self.progress = progress

    def __call__(self, tryout: Tryout, headcounts: list[int]) -> list[Tried]:
        params = [{**self.parent.params, "agents": n, "time_limit_s": tryout.time_limit_s} for n in headcounts]
        with self.runner.sessions() as s:
            ids = spawn(s, self.runner.broker, self.parent, KIND, params)
        try:
            jobs = self._wait(ids, headcounts)
        finally:
            self._stop_parts(ids)
        if self.progress.stop.is_set():
            return []
        for n, job in zip(headcounts, jobs):
            if job.state != "succeeded":
                raise PipelineError(f"the roster solve at {n} agents (job {job.id}) {job.state}: {job.error}")
        return [Tried(trial_of(job.progress)) for job in jobs]

    def _wait(self, ids: list[int], headcounts: list[int]) -> list[Job]:
        """The parts once each has ended (or as they stand when the search is stopped)."""
        shown = None
        while True:
            with self.runner.sessions() as s:
                jobs = [s.get(Job, i) for i in ids]
                s.expunge_all()
                if cancel_asked(s, self.parent.id):
                    self.progress.cancel()
            if self.runner.stopping:
                self.progress.interrupt()
            if self.progress.stop.is_set():
                return jobs
            done = sum(j.state in DONE for j in jobs)
            self.progress.record(message=f"roster solves at {', '.join(map(str, headcounts))} agents: {done} of "
                                         f"{len(ids)} done", trials_done=done, trials=len(ids))
            if done != shown:  # each count is written at once: the throttle would hide it behind a part's solve
                shown = done
                self.progress.flush()
            queued = [j.id for j in jobs if j.state == "queued"]
            if queued:
                self.runner.run(queued[0])  # our own part, here: a lone worker never waits on itself
            elif done == len(ids):
                return jobs
            else:
                time.sleep(self.runner.poll_s)

    def _stop_parts(self, ids: list[int]) -> None:
        """Parts not ended: queued ones cancelled at once, running ones asked to stop (they see the search's
        cancel too, but not a stopping worker's)."""
        with self.runner.sessions() as s:
            s.execute(update(Job).where(Job.id.in_(ids), Job.state == "queued")
                      .values(state="cancelled", finished_at=utcnow(), error="its headcount search stopped"))
            s.execute(update(Job).where(Job.id.in_(ids), Job.state == "running").values(cancel_requested=True))
            s.commit()
