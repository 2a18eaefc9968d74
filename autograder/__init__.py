"""`course grade`: autograding a class with nbgrader as the engine, made safe and parallel.

One module per step of the pipeline, like nbgrader's preprocessors:

  intake      find submissions (nbgrader's submitted/ layout or loose notebooks), shards
  repair      size, UTF-8, JSON, nbformat 4; grade cells restored from the source; outputs dropped
  instrument  test cells rewritten: expected values out (sandbox), begin/section/done markers in
  sandbox     the bubblewrap command, resource limits, wall-clock timeout, capped output
  execute     the runner inside the sandbox: kernel, per-cell timeouts, watchdog, records
  record      recording mode of course_lib.check inside the kernel (exports actual values)
  plain       values as plain JSON, and the strict decoder of the trusted side
  verdict     the trusted comparison against the solutions' expected values
  report      gradebook writes, autograded notebook for nbgrader feedback, grades.csv, audit JSON
  course      the nbgrader course directory and each assignment's grading kit
  pipeline    all of it, N submissions at a time
  cli         `course grade`

See docs/grading.md for the design, the threat model and what remains open.
"""
