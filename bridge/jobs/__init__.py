"""Scheduled jobs: what runs with nobody looking (course sync, award evaluation, grade delivery, upkeep).

Layout: ``context`` (the collaborators a job needs, built once per process), ``work`` (the job functions;
each calls services and returns counts), ``registry`` (job names, default cron schedules, per-tenant
overrides), ``runner`` (runs one job under a database lease and records a :class:`~bridge.models.JobRun`),
``embedded`` (APScheduler inside ``bridge serve``) and ``celery_app`` (``bridge worker`` / ``bridge beat``).
Both schedulers call the same runner, so a job behaves the same embedded and at scale.
"""
