"""Comments on proposals: one reply level, an edit window, participants' flags and moderation."""
