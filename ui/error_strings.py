"""The Korean line of every core error code (core.errors.MESSAGES holds the English); ui/i18n.py adds each pair to
STRINGS as error.<code>. A Korean line may leave out a technical detail only English names (an exception's type)."""

ERRORS_KO: dict[str, str] = {
    # Jobs on a Ray cluster
    "cluster_oom": "클러스터 노드의 메모리가 모자라 이 작업이 끝났습니다.",
    "cluster_node_died": "이 작업을 돌리던 클러스터 노드가 사라졌습니다.",
    "cluster_worker_crashed": "클러스터에서 이 작업의 프로세스가 뜻하지 않게 끝났습니다.",
    "cluster_environment": "클러스터가 작업의 파이썬 환경을 준비하지 못했습니다 (클러스터 설명서 참고).",
    "cluster_cancelled": "클러스터에서 작업이 취소되었습니다.",
    "cluster_unschedulable": "이 작업을 돌릴 수 있는 클러스터 노드가 없습니다 (작업당 CPU·GPU 수).",
    "cluster_channel_lost": "클러스터와의 작업 연결이 끊겼습니다.",
    "cluster_timeout": "클러스터가 제때 답하지 않았습니다.",
    "cluster_job_gone": "작업이 도는 동안 클러스터가 사라졌습니다.",
    # Corpus files
    "no_files": "말뭉치 파일이 없습니다.",
    "file_not_found": "파일을 찾을 수 없습니다: {path}",
    "file_too_large": "{name}: 파일이 {mb} MB보다 큽니다.",
    "file_empty": "{name}: 빈 파일입니다.",
    "file_extension": "{name}: 여기서는 {extensions} 파일만 읽을 수 있습니다.",
    "xlsx_encrypted": "{name}: 암호가 걸린 통합 문서입니다. 암호 없이 저장한 뒤 다시 올리세요.",
    "xls_legacy": "{name}: 예전 .xls (Excel 97-2003) 파일입니다. Excel에서 열어 .xlsx나 CSV로 저장하세요.",
    "xlsx_damaged": "{name}: 스프레드시트가 손상되었거나 Excel 통합 문서가 아닙니다.",
    "zip_corrupted": "{name}: zip(xlsx) 파일처럼 보이지만 손상되었습니다.",
    "zip_not_xlsx": "{name}: Excel 통합 문서(.xlsx)가 아닌 zip 압축 파일입니다.",
    "zip_bomb": "{name}: 압축을 풀면 {mb} MB가 넘는 통합 문서라 받지 않습니다 (압축 폭탄 방지).",
    "workbook_damaged": "{name}: 통합 문서가 손상되었습니다.",
    "csv_unreadable": "{name}: 스프레드시트도, 읽을 수 있는 CSV/TSV 파일도 아닙니다.",
    "missing_columns": "{name}: {required} 열이 있는 시트가 없습니다. 찾은 열: {found}. AIHUB 머리글(예: {expected}, …)이 "
                       "필요합니다.",
    "binary_file": "{name}: 스프레드시트나 CSV가 아닌 이진 파일입니다.",
    "text_encoding": "{name}: 글자 인코딩이 UTF-8도 CP949/EUC-KR도 아닙니다. CSV를 UTF-8로 저장하세요.",
    "json_too_deep": "{name}: JSON이 {depth}단계보다 깊이 중첩되어 받지 않습니다.",
    "json_syntax": "{name}: 올바른 UTF-8 JSON이 아닙니다 ({line}번째 줄 {column}번째 글자에서 문법 오류).",
    "json_not_utf8": "{name}: 올바른 UTF-8 JSON이 아닙니다 (UTF-8로 된 파일이 아닙니다).",
    "json_invalid": "{name}: 올바른 UTF-8 JSON이 아닙니다.",
    "json_not_list": "{name}: AIHUB 형식의 대화 목록(JSON 배열)이 아닙니다.",
    "json_no_dialogues": "{name}: JSON 목록에 대화가 하나도 없습니다.",
    "json_dialogue_layout": "{name}: {number}번째 대화가 AIHUB 형식이 아닙니다 (profile.emotion.type과 talk.content가 "
                            "필요합니다).",
    "json_emotion_code": "{name}: {number}번째 대화의 감정 코드 {code!r}를 알 수 없습니다 (E10부터 E69까지).",
    "sheet_no_rows": "{name}: 시트에 머리글만 있고 행이 없습니다.",
    "task_column_missing": "{name}: {task} 과제에는 {column} 열이 필요한데 없습니다.",
    "no_usable_rows": "{name}: 쓸 수 있는 행이 없습니다 (모든 행에 문장이나 감정 라벨이 빠졌습니다).",
    "single_label": "{name}: 쓸 수 있는 {rows}행의 감정 라벨이 모두 같습니다 ({label}). 분류하려면 라벨이 두 가지 이상 "
                    "필요합니다.",
    "no_sentences": "{name}: 문장이 없습니다 (모든 줄이나 칸이 비었습니다).",
    "sentences_csv": "{name}: 읽을 수 있는 CSV/TSV 파일이 아닙니다. 쉼표가 든 문장은 따옴표로 감싸거나, 한 줄에 한 문장씩 "
                     ".txt로 저장하세요.",
    "no_sentence_column": "{name}: 문장 열을 찾지 못했습니다. 열 이름을 '문장'으로 하거나, 한 줄에 한 문장씩 .txt로 "
                          "저장하세요.",
    "reply_columns": "{name}: 답장 생성에는 사람문장1과 시스템응답1 열(신규 배포판은 시스템문장1, 평가용 Wave 대본은 "
                     "기계문장1)이 필요한데 없습니다.",
    "no_reply_pairs": "{name}: 사람 문장과 답장이 함께 있는 행이 없습니다.",
    # Tokenizer
    "tokenizer_ids": "토크나이저는 패딩 번호 0, 모르는 글자 번호 1을 써야 합니다.",
    "tokenizer_no_sentences": "토크나이저를 학습할 문장이 없습니다.",
    "vocab_too_small": "어휘 크기 {size}는 너무 작습니다. {least} 이상으로 하세요.",
    "tokenizer_failed": "SentencePiece가 어휘 {size}개를 학습하지 못했습니다.",
    "corpus_too_small": "말뭉치가 너무 작아 토크나이저를 만들 수 없습니다 (최대 {limit}개 조각).",
    # Training, evaluation, explanation, jobs
    "training_busy": "이 세션에서 이미 학습이 진행 중입니다. 멈추거나 끝날 때까지 기다리세요.",
    "no_cuda": "CUDA GPU를 쓰도록 했지만 이 서버에는 없습니다. 자동이나 CPU를 고르세요.",
    "labels_unknown": "파일의 감정 라벨({found}) 중 모델이 아는 것이 없습니다 (모델의 라벨: {known}).",
    "nothing_to_explain": "설명할 문장이 없습니다.",
    # Bundles
    "bundle_cause": "{name}: {cause}",
    "bundle_damaged": "{name}: 번들이 손상되었거나 이 버전이 읽을 수 없는 번들입니다.",
    "bundle_not_zip": "{name}: 모델 번들(.zip)이 아니거나 파일이 손상되었습니다.",
    "bundle_too_large": "{name}: 번들이 {mb} MB보다 커서 받지 않습니다.",
    "bundle_directory": "{name}: zip에 파일이 {most}개보다 많거나 목록이 지나치게 커서 모델 번들이 아닙니다.",
    "bundle_members": "{name}: zip에 파일이 너무 많거나 같은 파일이 두 번 있어 모델 번들이 아닙니다.",
    "bundle_missing_members": "{name}: 어텐션 랩 번들이 아닙니다 ({members} 없음).",
    "bundle_member_too_large": "{name}: {member}의 압축을 풀면 {mb:,.0f} MB로, 번들에 허용된 {cap:,.0f} MB보다 커서 "
                               "받지 않습니다.",
    "bundle_member_encrypted": "{name}: {member}가 암호화되어 있습니다. 번들은 암호화되지 않습니다.",
    "bundle_member_damaged": "{name}: zip 안의 {member}가 손상되었습니다.",
    "bundle_member_truncated": "{name}: {member}가 잘려 있습니다.",
    "bundle_member_long": "{name}: {member}가 zip에 적힌 크기보다 깁니다.",
    "bundle_tokenizer": "{name}: 토크나이저({member})가 손상되었거나 SentencePiece 모델이 아닙니다.",
    "bundle_tokenizer_vocab": "{name}: 토크나이저의 어휘 수가 모델의 크기와 맞지 않습니다.",
    "bundle_header_long": "{name}: 가중치({member})가 손상되었습니다 (머리글이 너무 깁니다).",
    "bundle_weights_corrupted": "{name}: 가중치({member})가 손상되었거나 잘려 있습니다.",
    "bundle_weights_large": "{name}: 모델 설정대로라면 가중치가 {mb:,.0f} MB로, 번들에 허용된 {cap} MB보다 커서 받지 "
                            "않습니다.",
    "bundle_weights_size": "{name}: 번들이 자기 설정과 맞지 않습니다. 가중치({member})가 손상되었거나 잘려 있습니다 "
                           "(설정에는 {needed:,}바이트가 필요한데 {size:,}바이트입니다).",
    "bundle_weights_type": "{name}: 가중치({member})의 {key!r}가 float32가 아닌 형식입니다.",
    "bundle_model_mismatch": "{name}: 이 버전의 모델과 맞지 않는 번들입니다.",
    "bundle_tensor_shape": "{name}: 이 버전의 모델과 맞지 않는 번들입니다 ({member}의 {key!r} 크기가 {shape}인데, 설정에는 "
                           "{wanted}이 필요합니다).",
    "bundle_tensor_unknown": "{name}: 이 버전의 모델과 맞지 않는 번들입니다 ({member}에 설정에 없는 텐서 {key!r} {shape}가 "
                             "있습니다).",
    "bundle_tensors_missing": "{name}: 이 버전의 모델과 맞지 않는 번들입니다 ({member}에 {keys}가 없습니다).",
    "bundle_json_deep": "{name}: 번들의 {member}가 {depth}단계보다 깊이 중첩되었거나 목록이 너무 많아 받지 않습니다.",
    "bundle_json_invalid": "{name}: 번들의 {member}가 올바른 JSON이 아닙니다.",
    "bundle_foreign": "{name}: 어텐션 랩 번들이 아닙니다.",
    "bundle_version_type": "{name}: 번들의 형식 버전이 정수가 아니어서 어텐션 랩 번들이 아닙니다.",
    "bundle_newer": "{name}: 더 새로운 어텐션 랩이 만든 번들입니다 (번들 형식 {version}). 앱을 업데이트하세요.",
    "bundle_kind": "{name}: 여기에는 {expected_kind} 번들이 필요한데, 다른 종류의 번들입니다.",
    "bundle_versions": "{name}: 번들의 버전 정보가 표 형식이 아니어서 어텐션 랩 번들이 아닙니다.",
    "bundle_section_missing": "{name}: 번들에 {section} 설정이 없거나 표 형식이 아닙니다.",
    "bundle_setting_type": "{name}: 번들의 {section}.{key} 값이 올바르지 않아 받지 않습니다.",
    "bundle_section_invalid": "{name}: 번들의 {section} 설정이 올바르지 않습니다.",
    "bundle_token_id": "{name}: 번들의 {section}.{key}가 어휘 범위를 벗어나 받지 않습니다.",
    "bundle_metrics": "{name}: 번들의 지표가 숫자 표가 아니어서 받지 않습니다.",
    "bundle_history": "{name}: 번들의 학습 기록이 잘못되어 받지 않습니다.",
    "bundle_label_names": "{name}: 번들의 라벨 이름이 모델 출력마다 하나씩, 서로 다른 짧은 글 {count}개가 아니어서 받지 "
                          "않습니다.",
    "bundle_baseline": "{name}: 번들의 기준 모델을 읽을 수 없어 받지 않습니다.",
    "bundle_retrieval": "{name}: 번들의 검색 색인을 읽을 수 없어 받지 않습니다.",
    "bundle_retrieval_large": "{name}: 번들의 검색 색인이 이 버전이 다룰 수 있는 것보다 커서 받지 않습니다.",
    # Workspaces
    "quota_workspace": "이 작업 공간이 할당량 {quota} 중 {used}를 쓰게 됩니다. 오래된 학습을 지우거나 새 작업 공간을 "
                       "시작하세요.",
    "quota_total": "서버의 데이터 폴더가 가득 찼습니다 ({total}). 선생님께 오래된 작업 공간을 정리해 달라고 하세요.",
    # The class board
    "board_nickname": "게시판에 쓸 별명을 입력하세요.",
    "board_nickname_long": "별명이 너무 깁니다 ({length}자). {limit}자 이하로 줄이세요.",
    "board_stopped": "끝난 학습만 올릴 수 있습니다. 이 학습은 중지되었습니다.",
    "board_cooldown": "방금 게시했습니다. {seconds}초 뒤에 다시 올리세요.",
    "board_busy": "방금 게시가 몰렸습니다. {seconds}초 뒤에 다시 해 보세요.",
    "board_mine_full": "한 작업 공간은 게시물을 {limit}개까지 올릴 수 있습니다.",
    "board_full": "게시판이 가득 찼습니다 ({limit}개). 선생님께 비워 달라고 하세요.",
    "board_wait": "비밀번호가 여러 번 틀려 잠시 막혔습니다. {seconds}초 뒤에 다시 해 보세요.",
}
