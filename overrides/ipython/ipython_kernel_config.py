# Kernel settings for executing docs pages (copied into IPYTHONDIR by scripts/_setup.sh).
# Output that native libraries write straight to file descriptor 2 (TensorFlow's start-up
# log lines, for example) goes to the build log instead of into the pages.
c = get_config()  # noqa: F821
c.IPKernelApp.capture_fd_output = False
