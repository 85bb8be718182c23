"""One Controller per resource; handlers decode → command → execute → encode."""
