package dev.mesh.api.networking;

/** How traffic reaches a sidecar listener: DEFAULT (the environment's), IPTABLES (captured), NONE (bound). */
public enum CaptureMode { DEFAULT, IPTABLES, NONE }
