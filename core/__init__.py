"""Ground floor: configuration, clock, logging, settings, the event bus and the services
object every layer above receives. Imports nothing of Kernbot but storage and messages."""
