using Silk.NET.OpenGL;

namespace ConsoleBridge.Gl;

/// <summary>Shader helpers shared by the bridge's GL passes (and the sample's benchmark scenes).</summary>
internal static class GlShaders
{
    /// <summary>
    /// A vertex shader (GLSL 3.30) that draws one triangle covering the viewport from
    /// <c>glDrawArrays(GL_TRIANGLES, 0, 3)</c> with no vertex data (an empty vertex array bound).
    /// </summary>
    public const string FullScreenTriangle = """
        #version 330 core
        void main()
        {
            vec2 p = vec2((gl_VertexID << 1) & 2, gl_VertexID & 2);
            gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
        }
        """;

    /// <summary>Compiles and links a vertex and a fragment shader; 0 with the reason when either fails.</summary>
    public static uint Link(GL gl, string vertex, string fragment, out string? why) =>
        Link(gl, out why, (ShaderType.VertexShader, vertex), (ShaderType.FragmentShader, fragment));

    /// <summary>Compiles the stages and links them into one program; 0 with the reason when a step fails.</summary>
    public static uint Link(GL gl, out string? why, params (ShaderType Type, string Source)[] stages)
    {
        uint program = gl.CreateProgram();
        foreach ((ShaderType type, string source) in stages)
        {
            uint shader = gl.CreateShader(type);
            gl.ShaderSource(shader, source);
            gl.CompileShader(shader);
            gl.GetShader(shader, ShaderParameterName.CompileStatus, out int compiled);
            if (compiled == 0)
            {
                why = $"the {type} did not compile: {gl.GetShaderInfoLog(shader)}";
                gl.DeleteShader(shader);
                gl.DeleteProgram(program);
                return 0;
            }

            gl.AttachShader(program, shader);
            gl.DeleteShader(shader);
        }

        gl.LinkProgram(program);
        gl.GetProgram(program, ProgramPropertyARB.LinkStatus, out int linked);
        if (linked == 0)
        {
            why = "the shaders did not link: " + gl.GetProgramInfoLog(program);
            gl.DeleteProgram(program);
            return 0;
        }

        why = null;
        return program;
    }
}
