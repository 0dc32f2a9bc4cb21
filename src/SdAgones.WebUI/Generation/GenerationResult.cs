namespace SdAgones.WebUI.Generation;

/// <summary>One finished picture: the seed it was drawn from, its PNG bytes, its A1111 infotext, and where it was saved.</summary>
internal sealed record GeneratedImage(long Seed, byte[] Png, string Infotext, string SavedPath);

/// <summary>A finished job: its images (seed, seed+1, … for a batch, as in A1111) and when it ran.</summary>
internal sealed record GenerationResult(GenerationRequest Request, long Seed, string JobTimestamp, IReadOnlyList<GeneratedImage> Images);

/// <summary>Told after each sampling step, so WebSocket and SSE callers can stream progress.</summary>
internal delegate ValueTask StepObserver(int step, int steps, CancellationToken cancellationToken);
