"""Sphinx extension: the build's kernels talk over encrypted sockets.

myst-nb executes every chapter through jupyter-cache and nbclient, which start the kernel
with jupyter_client's default, unencrypted TCP transport; ipykernel then logs "Kernel is
running over TCP without encryption" once per chapter into the build log. The Python
kernelspec declares CurveZMQ support, so asking the kernel manager to provision Curve keys
where a kernel supports them ("auto") encrypts the transport and the warning is gone for
the right reason. None of the tools in between accepts kernel-manager configuration, so the
policy is set as the kernel manager's default, for this build process only.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def encrypt_kernel_transport(app: Sphinx) -> None:
    import zmq
    from jupyter_client.manager import KernelManager

    if zmq.has("curve"):
        KernelManager.class_traits()["transport_encryption"].default_value = "auto"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", encrypt_kernel_transport)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
