/**
 * The agent tools as a model sees them: name, description and input schema. The MCP server lists
 * these; VS Code reads the same from package.json (`contributes.languageModelTools`, where they
 * must be static), and a unit test holds the two equal.
 */
export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: { readonly type: 'object'; readonly [key: string]: unknown };
}

/** The options every making tool takes, after its own fields. */
const OPTIONS = {
  "model": {
    "type": "string",
    "description": "Model id, e.g. gpt-image-1.5, gpt-image-2, dall-e-3, dall-e-2. Omit to use the user's configured model."
  },
  "size": {
    "type": "string",
    "description": "WIDTHxHEIGHT such as 1024x1024, 1536x1024, 1024x1536, or auto. Omit for the model's default."
  },
  "quality": {
    "type": "string",
    "description": "low, medium, high or auto (GPT image models); standard or hd (dall-e-3). Omit for the default."
  },
  "n": {
    "type": "integer",
    "minimum": 1,
    "maximum": 10,
    "description": "How many images (1-10). Default 1."
  },
  "background": {
    "type": "string",
    "enum": [
      "auto",
      "transparent",
      "opaque"
    ],
    "description": "GPT image models: transparent needs png or webp output."
  },
  "outputFormat": {
    "type": "string",
    "enum": [
      "png",
      "jpeg",
      "webp",
      "svg",
      "gif"
    ],
    "description": "GPT image models only. svg and gif: the 2.5 and 2.6 models, only where the user turned on SVG and GIF output (refused otherwise, with how to turn it on); one image per request."
  },
  "complexity": {
    "type": "string",
    "enum": [
      "low",
      "medium",
      "high"
    ],
    "description": "Planning effort, independent of quality: the GPT Image 2.5 and 2.6 models. Omit for the model's default."
  },
  "frameCount": {
    "type": "integer",
    "minimum": 2,
    "maximum": 16,
    "description": "GIF output only: how many frames (2-16; default 9)."
  },
  "frameDurationMs": {
    "type": "integer",
    "minimum": 10,
    "maximum": 655350,
    "description": "GIF output only: milliseconds each frame shows (default 200)."
  },
  "target": {
    "type": "string",
    "description": "Where to write, relative to the workspace root: a folder (assets/icons) or a file (assets/hero.png; its extension sets the format: .png, .jpg, .webp, or .svg and .gif where that output is on). An existing file is never overwritten: the new one gets a unique name. Omit to use the configured output folder."
  }
};

/** A making tool's schema: its own fields first, then the shared options. */
function schema(own: Record<string, unknown>, required: readonly string[]): ToolDefinition['inputSchema'] {
  return { type: 'object', properties: { ...own, ...OPTIONS }, required, additionalProperties: false };
}

export const TOOL_DEFINITIONS: readonly ToolDefinition[] = [
  {
    name: "pixelwright_generate_image",
    description:
      "Generates images from a text prompt with the OpenAI Images API and writes them into the user's workspace as files. Use it when the user asks for a new image asset (an illustration, icon, hero image, texture, sprite, photo). Describe the subject, style, composition and colours in the prompt. For an icon or sprite that needs a transparent background, set background to transparent and outputFormat to png. Set target to the workspace-relative file or folder where the asset belongs (e.g. public/images/hero.png) so you can reference it afterwards. Returns the written files' workspace-relative paths, a Markdown link for each, the model's revised prompt, and the images. The user confirms the cost before it runs.",
    inputSchema: schema({
      "prompt": {
        "type": "string",
        "description": "What the image shows: subject, style, composition, colours, text in it."
      }
    }, ["prompt"]),
  },
  {
    name: "pixelwright_edit_image",
    description:
      "Edits an existing image in the workspace with the OpenAI Images API (inpainting) and writes the result as a new file; the original is never changed. Give the image's workspace-relative path first in images (more paths are reference images for GPT image models). To change only part of the image, give regions (rectangles or ellipses in image pixels, or with units fraction as fractions 0-1 of the width and height) or mask (a workspace PNG the image's size, transparent where to edit); with GPT image models the pixels outside the mask are kept exactly unless keepUnmasked is false. If a mask cannot be honoured (wrong size, outside the image, a model that cannot take it) the call fails and nothing is sent: fix the input, never drop the mask. Without a mask the whole image may change. Returns the new files' paths, Markdown links and the images.",
    inputSchema: schema({
      "images": {
        "type": "array",
        "items": {
          "type": "string"
        },
        "minItems": 1,
        "description": "Workspace-relative paths of PNG, JPEG or WebP images: the first is edited, the rest are references."
      },
      "prompt": {
        "type": "string",
        "description": "What the edited image should show (describe the whole image, not only the change)."
      },
      "mask": {
        "type": "string",
        "description": "Workspace-relative path of a PNG mask the size of the image: transparent (or white on black) where to edit."
      },
      "regions": {
        "type": "array",
        "minItems": 1,
        "description": "Where to edit, instead of a mask file.",
        "items": {
          "type": "object",
          "properties": {
            "shape": {
              "type": "string",
              "enum": [
                "rectangle",
                "ellipse"
              ]
            },
            "x": {
              "type": "number"
            },
            "y": {
              "type": "number"
            },
            "width": {
              "type": "number"
            },
            "height": {
              "type": "number"
            },
            "units": {
              "type": "string",
              "enum": [
                "pixels",
                "fraction"
              ],
              "description": "pixels of the image as displayed (default) or fractions 0-1 of its width and height"
            }
          },
          "required": [
            "shape",
            "x",
            "y",
            "width",
            "height"
          ],
          "additionalProperties": false
        }
      },
      "inputFidelity": {
        "type": "string",
        "enum": [
          "low",
          "high"
        ],
        "description": "Models that take it: high keeps faces and details of the inputs closer."
      },
      "keepUnmasked": {
        "type": "boolean",
        "description": "GPT image models with a mask: paste the original pixels back outside it (default true)."
      }
    }, ["images", "prompt"]),
  },
  {
    name: "pixelwright_image_variations",
    description:
      "Makes variations of an image in the workspace (same subject, composition and style, different details) and writes them as new files. Give the image's workspace-relative path; with GPT image models an optional prompt steers the variation. Returns the new files' paths, Markdown links and the images.",
    inputSchema: schema({
      "image": {
        "type": "string",
        "description": "Workspace-relative path of a PNG, JPEG or WebP image."
      },
      "prompt": {
        "type": "string",
        "description": "Optional: how the variations should differ (GPT image models)."
      }
    }, ["image"]),
  },
  {
    name: "pixelwright_image_recipe",
    description:
      "Reads the recipe Pixelwright stored inside an image file of the workspace: the prompt, the model's revised prompt, the model, the options, the source images, the provider and the time. Use it before remaking or reworking an image, or to tell the user how an image was made. Free and local: no API call.",
    inputSchema: {
      "type": "object",
      "properties": {
        "image": {
          "type": "string",
          "description": "Workspace-relative path of the image."
        }
      },
      "required": [
        "image"
      ],
      "additionalProperties": false
    },
  },
];
