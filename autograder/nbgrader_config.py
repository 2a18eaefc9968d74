"""nbgrader configuration shared by `course release`, the test suite and instructors.

An instructor's course directory (source/ release/ submitted/ autograded/ feedback/)
loads this file; `course release` copies it into a temporary course directory to turn
solutions/ into notebooks/. Keep settings here, not in code, so that plain `nbgrader`
commands and the `course` command behave the same.
"""
c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "dl4rl"

# What a learner sees in place of a removed solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Every notebook runs in about a minute on 2 cores; a submission stuck in a loop must not
# hold the batch. The course's heavy demonstrations shrink when COURSE_FAST=1, which the
# grading commands set.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = True

# Learners must not be able to change what a test cell or a setup cell contains.
c.LockCells.lock_all_cells = False
c.LockCells.lock_grade_cells = True
c.LockCells.lock_readonly_cells = True
