"""Small plain helpers shared by the apps (no models here)."""
