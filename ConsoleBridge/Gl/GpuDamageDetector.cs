using Silk.NET.OpenGL;

namespace ConsoleBridge.Gl;

/// <summary>
/// Damage detection on the GPU (<see cref="GlBridgeOptions.GpuDamageDetection"/>): a compute
/// shader compares the damaged part of a head's scanout with the previous frame, kept in a texture
/// of the head's size, one work group per 64×64 tile, writes one flag per tile into a persistently
/// mapped buffer and copies the changed pixels into the previous frame. The GL thread reads the
/// flags once their fence signalled and reads back only the changed tiles. Contexts without compute
/// shaders (below GL 4.3) get the same through three fragment-shader draws (GL 3.3): one fragment
/// per 8×8 block compares its pixels, one per tile ORs its blocks into a texture of one texel per
/// tile, then the damaged rectangle is drawn into the previous frame; the flags are read into a
/// pixel-pack buffer behind the fence and mapped once it signalled. Used on the GL thread only.
/// </summary>
internal sealed unsafe class GpuDamageDetector : IDisposable
{
    /// <summary>The side of a compared tile, in pixels.</summary>
    public const int TileSize = 64;

    /// <summary>The fallback compares blocks of this side, one fragment each, then ORs them per tile.</summary>
    private const int BlockSize = 8;

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

    // The fallback's shaders. GLSL 3.30 has no packUnorm4x8; Pack does the same (x in the low bits).
    private const string FragmentCommon = """
        #version 330 core
        uniform sampler2D scanout;
        uniform ivec4 damage;
        uniform ivec2 viewOrigin;
        uniform int flipHeight;
        out uvec4 result;

        uint Pack(ivec2 p)
        {
            int ty = flipHeight == 0 ? viewOrigin.y + p.y : flipHeight - 1 - (viewOrigin.y + p.y);
            uvec3 c = uvec3(round(clamp(texelFetch(scanout, ivec2(viewOrigin.x + p.x, ty), 0).rgb, 0.0, 1.0) * 255.0));
            return c.r | (c.g << 8) | (c.b << 16);
        }

        """;

    // Drawn over the blocks texture (one texel per 8×8 pixels) where the damage lies: one fragment
    // per block, so the comparison spreads over many fragments as the compute shader's does.
    private const string BlockFragment = FragmentCommon + """
        uniform usampler2D previous;
        uniform int force;

        void main()
        {
            ivec2 base = ivec2(gl_FragCoord.xy) * 8;
            ivec2 from = max(base, damage.xy);
            ivec2 to = min(base + ivec2(8), damage.zw);
            uint changed = 0u;
            for (int y = from.y; y < to.y; y++)
            {
                for (int x = from.x; x < to.x; x++)
                {
                    ivec2 p = ivec2(x, y);
                    if (force != 0 || Pack(p) != texelFetch(previous, p, 0).r)
                    {
                        changed = 1u;
                    }
                }
            }

            result = uvec4(changed, 0u, 0u, 0u);
        }
        """;

    // Drawn over the tile range of the flags texture: each tile ORs its 8×8 blocks.
    private const string TileFragment = """
        #version 330 core
        uniform usampler2D blocks;
        out uvec4 result;

        void main()
        {
            ivec2 base = ivec2(gl_FragCoord.xy) * 8;
            ivec2 to = min(base + ivec2(8), textureSize(blocks, 0));
            uint changed = 0u;
            for (int y = base.y; y < to.y; y++)
            {
                for (int x = base.x; x < to.x; x++)
                {
                    changed |= texelFetch(blocks, ivec2(x, y), 0).r;
                }
            }

            result = uvec4(changed, 0u, 0u, 0u);
        }
        """;

    // Drawn over the damaged rectangle of the previous frame (head coordinates).
    private const string CopyFragment = FragmentCommon + """
        void main()
        {
            result = uvec4(Pack(ivec2(gl_FragCoord.xy)), 0u, 0u, 0u);
        }
        """;

    private readonly GL _gl;
    private readonly uint _program;
    private readonly FragmentPasses? _fragment;
    private readonly uint _sampler;
    private readonly int _damage;
    private readonly int _viewOrigin;
    private readonly int _flipHeight;
    private readonly int _firstTile;
    private readonly int _tilesPerRow;
    private readonly int _force;

    private GpuDamageDetector(GL gl, uint program, FragmentPasses? fragment)
    {
        _gl = gl;
        _program = program;
        _fragment = fragment;
        if (fragment is null)
        {
            _damage = gl.GetUniformLocation(program, "damage");
            _viewOrigin = gl.GetUniformLocation(program, "viewOrigin");
            _flipHeight = gl.GetUniformLocation(program, "flipHeight");
            _firstTile = gl.GetUniformLocation(program, "firstTile");
            _tilesPerRow = gl.GetUniformLocation(program, "tilesPerRow");
            _force = gl.GetUniformLocation(program, "force");
        }

        _sampler = gl.GenSampler();
        gl.SamplerParameter(_sampler, SamplerParameterI.MinFilter, (int)TextureMinFilter.Nearest);
        gl.SamplerParameter(_sampler, SamplerParameterI.MagFilter, (int)TextureMagFilter.Nearest);
    }

    /// <summary>Whether this detector uses the fragment-shader passes rather than a compute shader.</summary>
    public bool UsesFragmentShaders => _fragment is not null;

    /// <summary>
    /// Builds the shaders: the compute shader from GL 4.3, else (or with
    /// <paramref name="fragmentShaders"/>) the fragment-shader passes from GL 3.3. Null, with the
    /// reason, below GL 3.3 or when a build fails.
    /// </summary>
    public static GpuDamageDetector? TryCreate(EglContext context, bool fragmentShaders, out string? why)
    {
        GL gl = context.Gl;
        if (context.Version < 43 || fragmentShaders)
        {
            if (context.Version < 33)
            {
                why = $"GL {context.Version / 10}.{context.Version % 10} has neither compute shaders (4.3) nor the integer textures the fragment-shader fallback needs (3.3)";
                return null;
            }

            FragmentPasses? passes = FragmentPasses.TryCreate(gl, out why);
            if (passes is null)
            {
                return null;
            }

            return new GpuDamageDetector(gl, program: 0, passes);
        }

        uint program = GlShaders.Link(gl, out why, (ShaderType.ComputeShader, Source));
        if (program == 0)
        {
            why = "the damage comparison's compute shader: " + why;
            return null;
        }

        return new GpuDamageDetector(gl, program, null);
    }

    /// <summary>The fallback's three programs and an empty vertex array (core profiles draw nothing without one).</summary>
    private sealed class FragmentPasses
    {
        public uint Blocks;
        public uint Tiles;
        public uint Copy;
        public uint VertexArray;

        public static FragmentPasses? TryCreate(GL gl, out string? why)
        {
            uint blocks = GlShaders.Link(gl, GlShaders.FullScreenTriangle, BlockFragment, out why);
            uint tiles = blocks == 0 ? 0 : GlShaders.Link(gl, GlShaders.FullScreenTriangle, TileFragment, out why);
            uint copy = tiles == 0 ? 0 : GlShaders.Link(gl, GlShaders.FullScreenTriangle, CopyFragment, out why);
            if (copy == 0)
            {
                gl.DeleteProgram(blocks);
                gl.DeleteProgram(tiles);
                return null;
            }

            var passes = new FragmentPasses { Blocks = blocks, Tiles = tiles, Copy = copy, VertexArray = gl.GenVertexArray() };
            gl.UseProgram(blocks);
            gl.Uniform1(gl.GetUniformLocation(blocks, "scanout"), 0);
            gl.Uniform1(gl.GetUniformLocation(blocks, "previous"), 1);
            gl.UseProgram(tiles);
            gl.Uniform1(gl.GetUniformLocation(tiles, "blocks"), 1);
            gl.UseProgram(copy);
            gl.Uniform1(gl.GetUniformLocation(copy, "scanout"), 0);
            gl.UseProgram(0);
            return passes;
        }

        /// <summary>Sets the uniforms both passes share.</summary>
        public static void SetCommon(GL gl, uint program, PixelRect damage, GlHead head)
        {
            gl.Uniform4(gl.GetUniformLocation(program, "damage"), damage.X, damage.Y, damage.Right, damage.Bottom);
            gl.Uniform2(gl.GetUniformLocation(program, "viewOrigin"), head.View.X, head.View.Y);
            gl.Uniform1(gl.GetUniformLocation(program, "flipHeight"), head.Y0Top ? 0 : head.BackingHeight);
        }

        public void Delete(GL gl)
        {
            gl.DeleteProgram(Blocks);
            gl.DeleteProgram(Tiles);
            gl.DeleteProgram(Copy);
            gl.DeleteVertexArray(VertexArray);
        }
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
            AllocateR32ui(head.Width, head.Height);
            gl.BindTexture(TextureTarget.Texture2D, 0);
            head.PreviousWidth = head.Width;
            head.PreviousHeight = head.Height;

            long bytes = (long)tilesX * tilesY * sizeof(uint);
            if (_fragment is not null)
            {
                CreateFragmentObjects(head, tilesX, tilesY, bytes);
            }
            else
            {
                CreateFlagsBuffer(head, bytes);
            }

            force = true;
        }

        int firstX = damage.X / TileSize, firstY = damage.Y / TileSize;
        int lastX = (damage.Right - 1) / TileSize, lastY = (damage.Bottom - 1) / TileSize;
        if (_fragment is not null)
        {
            DrawFragmentPasses(head, damage, firstX, firstY, lastX - firstX + 1, lastY - firstY + 1, tilesX, tilesY, force);
            return;
        }

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
        ThrowOnError(gl, "The GPU damage comparison");

        head.DetectFence = gl.FenceSync(SyncCondition.SyncGpuCommandsComplete, SyncBehaviorFlags.None);
        head.DetectRect = damage;
    }

    /// <summary>Throws <see cref="GlException"/> naming <paramref name="what"/> when GL reports an error.</summary>
    private static void ThrowOnError(GL gl, string what)
    {
        GLEnum error = gl.GetError();
        if (error != GLEnum.NoError)
        {
            throw new GlException($"{what} failed: GL error 0x{(int)error:x4}.");
        }
    }

    private void CreateFlagsBuffer(GlHead head, long bytes)
    {
        GL gl = _gl;
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
    }

    private void CreateFragmentObjects(GlHead head, int tilesX, int tilesY, long bytes)
    {
        GL gl = _gl;
        head.FlagsTexture = gl.GenTexture();
        gl.BindTexture(TextureTarget.Texture2D, head.FlagsTexture);
        AllocateR32ui(tilesX, tilesY);
        gl.BindTexture(TextureTarget.Texture2D, 0);
        head.FlagsFramebuffer = Framebuffer(head.FlagsTexture);
        head.BlocksTexture = gl.GenTexture();
        gl.BindTexture(TextureTarget.Texture2D, head.BlocksTexture);
        AllocateR32ui(tilesX * (TileSize / BlockSize), tilesY * (TileSize / BlockSize));
        gl.BindTexture(TextureTarget.Texture2D, 0);
        head.BlocksFramebuffer = Framebuffer(head.BlocksTexture);
        head.PreviousFramebuffer = Framebuffer(head.PreviousFrame);
        head.FlagsReadBuffer = gl.GenBuffer();
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, head.FlagsReadBuffer);
        gl.BufferData(BufferTargetARB.PixelPackBuffer, (nuint)bytes, null, BufferUsageARB.StreamRead);
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
    }

    /// <summary>
    /// Storage for the bound texture: immutable (GL 4.2) for the compute shader's image, or through
    /// glTexImage2D with one level for the fallback, which must run on GL 3.3.
    /// </summary>
    private void AllocateR32ui(int width, int height)
    {
        GL gl = _gl;
        if (_fragment is null)
        {
            gl.TexStorage2D(TextureTarget.Texture2D, 1, SizedInternalFormat.R32ui, (uint)width, (uint)height);
            return;
        }

        gl.TexImage2D(TextureTarget.Texture2D, 0, InternalFormat.R32ui, (uint)width, (uint)height, 0, PixelFormat.RedInteger, PixelType.UnsignedInt, null);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMaxLevel, 0);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMinFilter, (int)TextureMinFilter.Nearest);
        gl.TexParameter(TextureTarget.Texture2D, TextureParameterName.TextureMagFilter, (int)TextureMagFilter.Nearest);
    }

    private uint Framebuffer(uint texture)
    {
        GL gl = _gl;
        uint framebuffer = gl.GenFramebuffer();
        gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, framebuffer);
        gl.FramebufferTexture2D(FramebufferTarget.DrawFramebuffer, FramebufferAttachment.ColorAttachment0, TextureTarget.Texture2D, texture, 0);
        GLEnum status = gl.CheckFramebufferStatus(FramebufferTarget.DrawFramebuffer);
        gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, 0);
        if (status != GLEnum.FramebufferComplete)
        {
            throw new GlException($"An R32UI framebuffer for GPU damage detection is incomplete: status 0x{(int)status:x4}.");
        }

        return framebuffer;
    }

    /// <summary>The fallback: the flags pass over the tile range, the copy pass over the damage, the flags read behind a fence.</summary>
    private void DrawFragmentPasses(GlHead head, PixelRect damage, int firstX, int firstY, int countX, int countY, int tilesX, int tilesY, bool force)
    {
        GL gl = _gl;
        FragmentPasses passes = _fragment!;
        gl.Disable(EnableCap.ScissorTest);
        gl.Disable(EnableCap.Blend);
        gl.Disable(EnableCap.DepthTest);
        gl.BindVertexArray(passes.VertexArray);
        gl.ActiveTexture(TextureUnit.Texture0);
        gl.BindTexture(TextureTarget.Texture2D, head.Texture);
        gl.BindSampler(0, _sampler);
        gl.ActiveTexture(TextureUnit.Texture1);
        gl.BindTexture(TextureTarget.Texture2D, head.PreviousFrame);
        gl.BindSampler(1, _sampler);

        // Blocks: the 8×8 blocks of the compared tiles.
        const int perTile = TileSize / BlockSize;
        gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, head.BlocksFramebuffer);
        gl.Viewport(firstX * perTile, firstY * perTile, (uint)(countX * perTile), (uint)(countY * perTile));
        gl.UseProgram(passes.Blocks);
        FragmentPasses.SetCommon(gl, passes.Blocks, damage, head);
        gl.Uniform1(gl.GetUniformLocation(passes.Blocks, "force"), force ? 1 : 0);
        gl.DrawArrays(PrimitiveType.Triangles, 0, 3);

        // Tiles: each ORs its blocks (unit 1 now holds the blocks).
        gl.BindTexture(TextureTarget.Texture2D, head.BlocksTexture);
        gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, head.FlagsFramebuffer);
        gl.Viewport(firstX, firstY, (uint)countX, (uint)countY);
        gl.UseProgram(passes.Tiles);
        gl.DrawArrays(PrimitiveType.Triangles, 0, 3);

        // The previous frame was read above and is drawn here: it is bound to no unit now.
        gl.BindTexture(TextureTarget.Texture2D, 0);
        gl.BindSampler(1, 0);
        gl.ActiveTexture(TextureUnit.Texture0);
        gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, head.PreviousFramebuffer);
        gl.Viewport(damage.X, damage.Y, (uint)damage.Width, (uint)damage.Height);
        gl.UseProgram(passes.Copy);
        FragmentPasses.SetCommon(gl, passes.Copy, damage, head);
        gl.DrawArrays(PrimitiveType.Triangles, 0, 3);

        gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, head.FlagsFramebuffer);
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, head.FlagsReadBuffer);
        gl.ReadPixels(0, 0, (uint)tilesX, (uint)tilesY, PixelFormat.RedInteger, PixelType.UnsignedInt, null);
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
        gl.BindFramebuffer(FramebufferTarget.ReadFramebuffer, 0);
        gl.BindFramebuffer(FramebufferTarget.DrawFramebuffer, 0);
        gl.UseProgram(0);
        gl.BindSampler(0, 0);
        gl.BindTexture(TextureTarget.Texture2D, 0);
        gl.BindVertexArray(0);
        ThrowOnError(gl, "The GPU damage comparison (fragment shaders)");

        head.DetectFence = gl.FenceSync(SyncCondition.SyncGpuCommandsComplete, SyncBehaviorFlags.None);
        head.DetectRect = damage;
    }

    /// <summary>
    /// After the head's fence signalled: the changed tiles of the compared rectangle, clipped to it,
    /// runs of neighbouring tiles in a tile row merged, and equal runs of consecutive tile rows merged.
    /// </summary>
    public void Collect(GlHead head, List<PixelRect> parts)
    {
        if (_fragment is null)
        {
            Collect(head, (uint*)head.TileFlagsMapped, parts);
            return;
        }

        // The fence has signalled, so mapping the flags does not wait.
        GL gl = _gl;
        int tilesX = (head.Width + TileSize - 1) / TileSize;
        int tilesY = (head.Height + TileSize - 1) / TileSize;
        gl.BindBuffer(BufferTargetARB.PixelPackBuffer, head.FlagsReadBuffer);
        void* mapped = gl.MapBufferRange(BufferTargetARB.PixelPackBuffer, 0, (nuint)((long)tilesX * tilesY * sizeof(uint)), MapBufferAccessMask.ReadBit);
        try
        {
            if (mapped == null)
            {
                throw new GlException($"Mapping the tile flags failed: GL error 0x{(int)gl.GetError():x4}.");
            }

            Collect(head, (uint*)mapped, parts);
        }
        finally
        {
            if (mapped != null)
            {
                gl.UnmapBuffer(BufferTargetARB.PixelPackBuffer);
            }

            gl.BindBuffer(BufferTargetARB.PixelPackBuffer, 0);
        }
    }

    private static void Collect(GlHead head, uint* flags, List<PixelRect> parts)
    {
        PixelRect damage = head.DetectRect;
        int tilesX = (head.Width + TileSize - 1) / TileSize;
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

            // The fallback's objects (GL ignores the name 0 in deletes).
            gl.DeleteFramebuffer(head.FlagsFramebuffer);
            gl.DeleteFramebuffer(head.PreviousFramebuffer);
            gl.DeleteFramebuffer(head.BlocksFramebuffer);
            gl.DeleteTexture(head.FlagsTexture);
            gl.DeleteTexture(head.BlocksTexture);
            gl.DeleteBuffer(head.FlagsReadBuffer);
        }

        head.FlagsFramebuffer = 0;
        head.PreviousFramebuffer = 0;
        head.FlagsTexture = 0;
        head.FlagsReadBuffer = 0;
        head.BlocksTexture = 0;
        head.BlocksFramebuffer = 0;

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
        if (_fragment is null)
        {
            _gl.DeleteProgram(_program);
        }
        else
        {
            _fragment.Delete(_gl);
        }

        _gl.DeleteSampler(_sampler);
    }
}
