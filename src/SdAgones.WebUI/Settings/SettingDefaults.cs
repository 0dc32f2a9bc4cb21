using System.Text.Json.Nodes;

namespace SdAgones.WebUI.Settings;

/// <summary>A1111's settings as a fresh install shows them, with the output folders placed under the data root.</summary>
internal static class SettingDefaults
{
    public const string StandInCheckpoint = "sd-stand-in.safetensors [5d1f0a7c3e]";

    public static JsonObject Create(string dataRoot)
    {
        string Under(params string[] parts) => Path.Combine([dataRoot, .. parts]);

        return new JsonObject
        {
            ["samples_save"] = true,
            ["samples_format"] = "png",
            ["samples_filename_pattern"] = "",
            ["save_images_add_number"] = true,
            ["save_images_replace_action"] = "Replace",
            ["grid_save"] = true,
            ["grid_format"] = "png",
            ["grid_extended_filename"] = false,
            ["grid_only_if_multiple"] = true,
            ["n_rows"] = -1,
            ["enable_pnginfo"] = true,
            ["save_txt"] = false,
            ["save_images_before_face_restoration"] = false,
            ["jpeg_quality"] = 80,
            ["webp_lossless"] = false,
            ["export_for_4chan"] = true,
            ["img_downscale_threshold"] = 4.0,
            ["target_side_length"] = 4000.0,
            ["img_max_size_mp"] = 200.0,
            ["use_original_name_batch"] = true,
            ["save_selected_only"] = true,
            ["temp_dir"] = "",
            ["clean_temp_dir_at_start"] = false,
            ["outdir_samples"] = "",
            ["outdir_txt2img_samples"] = Under("outputs", "txt2img-images"),
            ["outdir_img2img_samples"] = Under("outputs", "img2img-images"),
            ["outdir_extras_samples"] = Under("outputs", "extras-images"),
            ["outdir_grids"] = "",
            ["outdir_txt2img_grids"] = Under("outputs", "txt2img-grids"),
            ["outdir_img2img_grids"] = Under("outputs", "img2img-grids"),
            ["outdir_save"] = Under("log", "images"),
            ["outdir_init_images"] = Under("outputs", "init-images"),
            ["save_to_dirs"] = true,
            ["grid_save_to_dirs"] = true,
            ["use_save_to_dirs_for_ui"] = false,
            ["directories_filename_pattern"] = "[date]",
            ["directories_max_prompt_words"] = 8,
            ["sd_model_checkpoint"] = StandInCheckpoint,
            ["sd_checkpoints_limit"] = 1,
            ["sd_checkpoints_keep_in_cpu"] = true,
            ["sd_checkpoint_cache"] = 0,
            ["sd_unet"] = "Automatic",
            ["sd_vae"] = "Automatic",
            ["sd_vae_overrides_per_model_preferences"] = true,
            ["sd_vae_checkpoint_cache"] = 0,
            ["CLIP_stop_at_last_layers"] = 1,
            ["upcast_attn"] = false,
            ["randn_source"] = "GPU",
            ["eta_noise_seed_delta"] = 0,
            ["eta_ddim"] = 0.0,
            ["eta_ancestral"] = 1.0,
            ["s_churn"] = 0.0,
            ["s_tmin"] = 0.0,
            ["s_noise"] = 1.0,
            ["cross_attention_optimization"] = "Automatic",
            ["token_merging_ratio"] = 0.0,
            ["show_progressbar"] = true,
            ["live_previews_enable"] = true,
            ["show_progress_every_n_steps"] = 10,
            ["show_progress_type"] = "Approx NN",
            ["interrupt_after_current"] = true,
            ["return_grid"] = true,
            ["do_not_show_images"] = false,
            ["js_modal_lightbox"] = true,
            ["samples_log_stdout"] = false,
            ["multiple_tqdm"] = true,
            ["memmon_poll_rate"] = 8,
            ["localization"] = "None",
            ["quicksettings_list"] = new JsonArray("sd_model_checkpoint"),
        };
    }
}
