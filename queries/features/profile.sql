/* one row per account: profile features (picture, bio, counts, ratios, age, username and display-name shape) */
with reference as (
    select greatest(max(a.created_at), max(a.last_active_at)) as as_of
    from accounts as a
),

-- the username lowered once per account, not once per character inside the entropy's lambdas
named as (
    select a.*, lower(a.username) as lower_name, length(a.username) as name_length
    from accounts as a
),

shaped as (
    select
        a.account_id,
        cast(a.has_profile_pic as double) as has_profile_pic,
        cast(length(coalesce(a.bio, '')) as double) as bio_length,
        a.bio is null as bio_missing,
        cast(a.has_external_link as double) as has_external_link,
        cast(a.is_private as double) as is_private,
        cast(a.is_verified as double) as is_verified,
        cast(a.follower_count as double) as follower_count,
        cast(a.following_count as double) as following_count,
        cast(a.video_count as double) as video_count,
        cast(a.following_count as double) / (a.follower_count + 1) as following_follower_ratio,
        cast(a.likes_received as double) as likes_received,
        cast(a.likes_given as double) as likes_given,
        cast(a.likes_received as double) / (a.video_count + 1) as likes_per_video,
        (epoch(r.as_of) - epoch(a.created_at)) / 86400.0 as account_age_days,
        (epoch(r.as_of) - epoch(a.last_active_at)) / 86400.0 as days_since_active,
        cast(a.name_length as double) as username_length,
        cast(length(a.username) - length(translate(a.username, '0123456789', '')) as double)
            as username_digit_count,
        cast(regexp_full_match(a.username, '[A-Za-z._]+[0-9]{2,}') as double) as username_word_digits,
        -- character entropy: each distinct character's share p of the name, -sum(p log2 p);
        -- terms summed smallest first, log2 as ln/ln(2), quantised to 1e-9 bits with floor (exact
        -- in IEEE arithmetic): the same bits on every engine, so models trained on it agree too.
        -- A character's count is taken once (inner transform), then its term (outer).
        floor(1e9 * list_sum(list_sort(list_transform(
            list_transform(
                list_distinct(string_split(a.lower_name, '')),
                lambda ch: a.name_length - length(replace(a.lower_name, ch, ''))
            ),
            lambda n: n / a.name_length * -(ln(n / a.name_length) / ln(2))
        ))) + 0.5) / 1e9 as username_entropy,
        a.username,
        a.display_name
    from named as a
    cross join reference as r
),

final as (
    select
        s.account_id,
        s.has_profile_pic,
        case when s.bio_missing then null else s.bio_length end as bio_length,
        s.has_external_link,
        s.is_private,
        s.is_verified,
        s.follower_count,
        s.following_count,
        s.video_count,
        s.following_follower_ratio,
        s.likes_received,
        s.likes_given,
        s.likes_per_video,
        s.account_age_days,
        s.days_since_active,
        s.username_length,
        s.username_digit_count,
        s.username_digit_count / nullif(s.username_length, 0) as username_digit_ratio,
        s.username_word_digits,
        s.username_entropy,
        cast(array_length(string_split(trim(s.display_name), ' ')) as double)
            * (length(trim(s.display_name)) > 0)::int as display_name_word_count,
        cast(length(s.display_name) - length(translate(s.display_name, '0123456789', '')) as double)
            / nullif(length(s.display_name), 0) as display_name_digit_ratio,
        cast(lower(s.display_name) = lower(s.username) as double) as name_equals_username
    from shaped as s
)

select * from final
