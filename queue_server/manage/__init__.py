"""The managers' home (``/manage``): where supervisors and admins land, with what needs them."""
