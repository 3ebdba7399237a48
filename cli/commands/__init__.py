"""One module per `shiftcast` sub-command; each exposes `command`, registered in cli."""
