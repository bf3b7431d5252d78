"""Architecture diagrams, drawn by code with matplotlib so that they cannot drift from the
models they show. One module per part of the course; each function draws one figure and
returns its matplotlib `Figure`.

Primitives (boxes, arrows, labels, one palette) are in `keraslab.course.diagrams._draw`.
"""
