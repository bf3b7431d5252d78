// keraslab pages write their maths in Unicode; this file stands in for MathJax so that no page loads scripts from the network.
