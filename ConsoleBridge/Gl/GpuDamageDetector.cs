using Silk.NET.OpenGL;

namespace ConsoleBridge.Gl;

/// <summary>
/// Damage detection on the GPU (<see cref="GlBridgeOptions.GpuDamageDetection"/>): a compute
/// shader compares the damaged part of a head's scanout with the previous frame, kept in a texture
/// of the head's size, one work group per 64×64 tile, writes one flag per tile into a persistently
/// mapped buffer and copies the changed pixels into the previous frame. The GL thread reads the
/// flags once their fence signalled and reads back only the changed tiles. Used on the GL thread only.
/// </summary>
internal sealed unsafe class GpuDamageDetector : IDisposable
{
    /// <summary>The side of a compared tile, in pixels.</summary>
    public const int TileSize = 64;

    // One work group per tile; 16×16 invocations each look at 4×4 pixels of it. Only pixels inside
    // the damaged rectangle are compared and copied: a change the producer did not report stays out
    // of the previous frame too, so it is found once it is reported. The scanout is read through
    // texelFetch in backing coordinates (flipped when it is not y0-top); the previous frame is in
    // head coordinates, packed (packUnorm4x8, alpha zeroed: XRGB scanouts leave it undefined) in
    // an R32UI image, so the comparison is of integers: a float comparison of a texel fetched
    // through the sampler with one loaded from an RGBA8 image need not be exact on every driver.
    private const string Source = """
        #version 430
        layout(local_size_x = 16, local_size_y = 16) in;
        layout(binding = 0) uniform sampler2D scanout;
        layout(binding = 0, r32ui) uniform uimage2D previous;
        layout(std430, binding = 0) writeonly buffer Flags { uint flags[]; };
        uniform ivec4 damage;      // x0, y0, x1, y1 in head coordinates (x1, y1 exclusive)
        uniform ivec2 viewOrigin;  // the head's top-left corner in the backing, top-left based
        uniform int flipHeight;    // 0: y0-top; else the backing's height (texture rows run bottom-up)
        uniform ivec2 firstTile;
        uniform int tilesPerRow;
        uniform int force;         // 1: every tile counts as changed (the previous frame is new)
        shared uint changed;

        void main()
        {
            if (gl_LocalInvocationIndex == 0u)
            {
                changed = 0u;
            }

            barrier();
            ivec2 tile = firstTile + ivec2(gl_WorkGroupID.xy);
            ivec2 base = tile * 64;
            bool differs = false;
            for (int j = int(gl_LocalInvocationID.y); j < 64; j += 16)
            {
                for (int i = int(gl_LocalInvocationID.x); i < 64; i += 16)
                {
                    ivec2 p = base + ivec2(i, j);
                    if (p.x >= damage.x && p.y >= damage.y && p.x < damage.z && p.y < damage.w)
                    {
                        int ty = flipHeight == 0 ? viewOrigin.y + p.y : flipHeight - 1 - (viewOrigin.y + p.y);
                        uint now = packUnorm4x8(vec4(texelFetch(scanout, ivec2(viewOrigin.x + p.x, ty), 0).rgb, 0.0));
                        if (force != 0 || now != imageLoad(previous, p).r)
                        {
                            differs = true;
                            imageStore(previous, p, uvec4(now, 0u, 0u, 0u));
                        }
                    }
                }
            }

            if (differs)
            {
                atomicOr(changed, 1u);
            }

            memoryBarrierShared();
            barrier();
            if (gl_LocalInvocationIndex == 0u)
            {
                flags[tile.y * tilesPerRow + tile.x] = changed;
            }
        }
        """;

    private readonly GL _gl;
    private readonly uint _program;
    private readonly uint _sampler;
    private readonly int _damage;
    private readonly int _viewOrigin;
    private readonly int _flipHeight;
    private readonly int _firstTile;
    private readonly int _tilesPerRow;
    private readonly int _force;

    private GpuDamageDetector(GL gl, uint program)
    {
        _gl = gl;
        _program = program;
        _damage = gl.GetUniformLocation(program, "damage");
        _viewOrigin = gl.GetUniformLocation(program, "viewOrigin");
        _flipHeight = gl.GetUniformLocation(program, "flipHeight");
        _firstTile = gl.GetUniformLocation(program, "firstTile");
        _tilesPerRow = gl.GetUniformLocation(program, "tilesPerRow");
        _force = gl.GetUniformLocation(program, "force");
        _sampler = gl.GenSampler();
        gl.SamplerParameter(_sampler, SamplerParameterI.MinFilter, (int)TextureMinFilter.Nearest);
        gl.SamplerParameter(_sampler, SamplerParameterI.MagFilter, (int)TextureMagFilter.Nearest);
    }

    /// <summary>Builds the shader; null (with the reason) when the context has no compute shaders or the build fails.</summary>
    public static GpuDamageDetector? TryCreate(EglContext context, out string? why)
    {
        if (context.Version < 43)
        {
            why = $"GL {context.Version / 10}.{context.Version % 10} has no compute shaders (4.3 needed)";
            return null;
        }

        GL gl = context.Gl;
        uint shader = gl.CreateShader(ShaderType.ComputeShader);
        gl.ShaderSource(shader, Source);
        gl.CompileShader(shader);
        gl.GetShader(shader, ShaderParameterName.CompileStatus, out int compiled);
        if (compiled == 0)
        {
            why = "the compute shader did not compile: " + gl.GetShaderInfoLog(shader);
            gl.DeleteShader(shader);
            return null;
        }

        uint program = gl.CreateProgram();
        gl.AttachShader(program, shader);
        gl.LinkProgram(program);
        gl.DeleteShader(shader);
        gl.GetProgram(program, ProgramPropertyARB.LinkStatus, out int linked);
        if (linked == 0)
        {
            why = "the compute shader did not link: " + gl.GetProgramInfoLog(program);
            gl.DeleteProgram(program);
            return null;
        }

        why = null;
        return new GpuDamageDetector(gl, program);
    }

    /// <summary>
    /// Compares <paramref name="damage"/> (head coordinates) of the head's scanout with the previous
    /// frame and puts a fence behind the flags. The first comparison after the previous frame was
    /// (re)made counts every tile as changed.
    /// </summary>
    /// <exception cref="GlException">A GL call of the comparison failed; the caller stops detecting.</exception>
    public void Dispatch(GlHead head, PixelRect damage)
    {
        GL gl = _gl;
        gl.GetError();
        int tilesX = (head.Width + TileSize - 1) / TileSize;
        int tilesY = (head.Height + TileSize - 1) / TileSize;
        bool force = false;
        if (head.PreviousFrame == 0 || head.PreviousWidth != head.Width || head.PreviousHeight != head.Height)
        {
            Release(head);
            head.PreviousFrame = gl.GenTexture();
            gl.BindTexture(TextureTarget.Texture2D, head.PreviousFrame);
            gl.TexStorage2D(TextureTarget.Texture2D, 1, SizedInternalFormat.R32ui, (uint)head.Width, (uint)head.Height);
            gl.BindTexture(TextureTarget.Texture2D, 0);
            head.PreviousWidth = head.Width;
            head.PreviousHeight = head.Height;

            long bytes = (long)tilesX * tilesY * sizeof(uint);
            head.TileFlags = gl.GenBuffer();
            gl.BindBuffer(BufferTargetARB.ShaderStorageBuffer, head.TileFlags);
            const BufferStorageMask flags = BufferStorageMask.MapReadBit | BufferStorageMask.MapPersistentBit | BufferStorageMask.MapCoherentBit | BufferStorageMask.ClientStorageBit;
            gl.BufferStorage(BufferStorageTarget.ShaderStorageBuffer, (nuint)bytes, null, flags);
            head.TileFlagsMapped = (nint)gl.MapBufferRange(BufferTargetARB.ShaderStorageBuffer, 0, (nuint)bytes,
                MapBufferAccessMask.ReadBit | MapBufferAccessMask.PersistentBit | MapBufferAccessMask.CoherentBit);
            gl.BindBuffer(BufferTargetARB.ShaderStorageBuffer, 0);
            if (head.TileFlagsMapped == 0)
            {
                throw new GlException($"Mapping the tile flags for GPU damage detection failed: GL error 0x{(int)gl.GetError():x4}.");
            }

            force = true;
        }

        int firstX = damage.X / TileSize, firstY = damage.Y / TileSize;
        int lastX = (damage.Right - 1) / TileSize, lastY = (damage.Bottom - 1) / TileSize;
        gl.UseProgram(_program);
        gl.Uniform4(_damage, damage.X, damage.Y, damage.Right, damage.Bottom);
        gl.Uniform2(_viewOrigin, head.View.X, head.View.Y);
        gl.Uniform1(_flipHeight, head.Y0Top ? 0 : head.BackingHeight);
        gl.Uniform2(_firstTile, firstX, firstY);
        gl.Uniform1(_tilesPerRow, tilesX);
        gl.Uniform1(_force, force ? 1 : 0);
        gl.ActiveTexture(TextureUnit.Texture0);
        gl.BindTexture(TextureTarget.Texture2D, head.Texture);
        gl.BindSampler(0, _sampler);
        gl.BindImageTexture(0, head.PreviousFrame, 0, false, 0, BufferAccessARB.ReadWrite, InternalFormat.R32ui);
        gl.BindBufferBase(BufferTargetARB.ShaderStorageBuffer, 0, head.TileFlags);
        gl.DispatchCompute((uint)(lastX - firstX + 1), (uint)(lastY - firstY + 1), 1);
        gl.MemoryBarrier(MemoryBarrierMask.ClientMappedBufferBarrierBit | MemoryBarrierMask.ShaderImageAccessBarrierBit);
        gl.BindBufferBase(BufferTargetARB.ShaderStorageBuffer, 0, 0);
        gl.BindSampler(0, 0);
        gl.BindTexture(TextureTarget.Texture2D, 0);
        gl.UseProgram(0);
        GLEnum error = gl.GetError();
        if (error != GLEnum.NoError)
        {
            throw new GlException($"The GPU damage comparison failed: GL error 0x{(int)error:x4}.");
        }

        head.DetectFence = gl.FenceSync(SyncCondition.SyncGpuCommandsComplete, SyncBehaviorFlags.None);
        head.DetectRect = damage;
    }

    /// <summary>
    /// After the head's fence signalled: the changed tiles of the compared rectangle, clipped to it,
    /// runs of neighbouring tiles in a tile row merged, and equal runs of consecutive tile rows merged.
    /// </summary>
    public static void Collect(GlHead head, List<PixelRect> parts)
    {
        PixelRect damage = head.DetectRect;
        int tilesX = (head.Width + TileSize - 1) / TileSize;
        uint* flags = (uint*)head.TileFlagsMapped;
        int firstX = damage.X / TileSize, firstY = damage.Y / TileSize;
        int lastX = (damage.Right - 1) / TileSize, lastY = (damage.Bottom - 1) / TileSize;
        var open = new List<int>(); // indices into parts of rectangles that end at the current tile row
        var next = new List<int>();
        for (int ty = firstY; ty <= lastY; ty++)
        {
            next.Clear();
            int top = Math.Max(damage.Y, ty * TileSize);
            int bottom = Math.Min(damage.Bottom, (ty + 1) * TileSize);
            for (int tx = firstX; tx <= lastX; tx++)
            {
                if (flags[ty * tilesX + tx] == 0)
                {
                    continue;
                }

                int run = tx;
                while (run + 1 <= lastX && flags[ty * tilesX + run + 1] != 0)
                {
                    run++;
                }

                int left = Math.Max(damage.X, tx * TileSize);
                int right = Math.Min(damage.Right, (run + 1) * TileSize);
                int merged = open.FindIndex(i => parts[i].X == left && parts[i].Right == right && parts[i].Bottom == top);
                if (merged >= 0)
                {
                    int index = open[merged];
                    PixelRect r = parts[index];
                    parts[index] = new PixelRect(r.X, r.Y, r.Width, bottom - r.Y);
                    next.Add(index);
                }
                else
                {
                    parts.Add(new PixelRect(left, top, right - left, bottom - top));
                    next.Add(parts.Count - 1);
                }

                tx = run;
            }

            (open, next) = (next, open);
        }
    }

    /// <summary>Deletes the head's previous frame, flags and pending fence (the next comparison starts afresh).</summary>
    public void Release(GlHead head) => ReleaseObjects(_gl, head);

    /// <summary>As <see cref="Release"/>, for any context (or none: the objects went with a lost context).</summary>
    public static void ReleaseObjects(GL? gl, GlHead head)
    {
        if (gl is not null)
        {
            if (head.DetectFence != 0)
            {
                gl.DeleteSync(head.DetectFence);
            }

            if (head.PreviousFrame != 0)
            {
                gl.DeleteTexture(head.PreviousFrame);
            }

            if (head.TileFlags != 0)
            {
                gl.DeleteBuffer(head.TileFlags); // deleting unmaps it
            }
        }

        head.DetectFence = 0;
        head.PreviousFrame = 0;
        head.TileFlags = 0;
        head.TileFlagsMapped = 0;
        head.PreviousWidth = 0;
        head.PreviousHeight = 0;
        head.PendingParts.Clear();
    }

    public void Dispose()
    {
        _gl.DeleteProgram(_program);
        _gl.DeleteSampler(_sampler);
    }
}
