"""The channels, by name (:class:`..models.ChannelKind`). Each is one small class with the
interface of :class:`.base.Channel`."""
